using System.Net;
using Tabula.Runtime;
using Tabula.Tests.BuildKit;
using Tabula.Tests.Integration;

namespace Tabula.Tests.Build;

/// <summary>
/// <c>--add-host</c>, <c>--shm-size</c> and <c>--ulimit</c> of tabula build: docker's spellings, what RUN then sees
/// (through runc), and the one-line usage errors of malformed values.
/// </summary>
public sealed class SandboxFlagsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Add_host_lines_follow_the_defaults_of_etc_hosts_and_key_the_cache()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        const string dockerfile = "FROM busybox AS base\nRUN cat /etc/hosts > /hosts\nFROM scratch\nCOPY --from=base /hosts /\n";
        var image = await BusyboxBuild.BuildImageAsync(fixture, "hosts:1", dockerfile, "--add-host", "db.local:10.1.2.3", "--add-host", "v6=fd00::1");
        var lines = (await BusyboxBuild.FileTextAsync(image, "hosts"))!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("127.0.0.1\tlocalhost", lines[0], StringComparison.Ordinal);
        Assert.Equal(["10.1.2.3\tdb.local", "fd00::1\tv6"], lines[^2..]);

        // Another host list is another RUN: the cached result of the first must not be reused.
        image = await BusyboxBuild.BuildImageAsync(fixture, "hosts:2", dockerfile, "--add-host", "db.local:10.9.9.9");
        Assert.EndsWith("10.9.9.9\tdb.local\n", await BusyboxBuild.FileTextAsync(image, "hosts"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ulimit_sets_soft_and_hard_limits_of_run_processes()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var image = await BusyboxBuild.BuildImageAsync(fixture, "limits:1",
            "FROM busybox AS base\nRUN echo $(ulimit -S -n) $(ulimit -H -n) $(ulimit -S -c) > /limits\nFROM scratch\nCOPY --from=base /limits /\n",
            "--ulimit", "nofile=512:2048", "--ulimit", "core=-1");
        Assert.Equal("512 2048 unlimited", (await BusyboxBuild.FileTextAsync(image, "limits"))?.Trim());
    }

    [Theory]
    [InlineData("--add-host", "nohost", "invalid --add-host 'nohost'")]
    [InlineData("--add-host", "db:not-an-ip", "'not-an-ip' is not an IP address")]
    [InlineData("--add-host", "db:host-gateway", "host-gateway")]
    [InlineData("--ulimit", "nofiles=1", "invalid --ulimit 'nofiles=1'")]
    [InlineData("--ulimit", "nofile=20:10", "soft limit 20 is above the hard limit 10")]
    [InlineData("--ulimit", "nofile=a", "whole numbers")]
    [InlineData("--shm-size", "lots", "invalid --shm-size 'lots'")]
    public async Task Malformed_values_are_usage_errors(string flag, string value, string message)
        => await BuildContextFlagTests.AssertUsageErrorAsync(flag, value, message);

    [Fact]
    public void Docker_spellings_parse()
    {
        Assert.Equal(new HostEntry("a", IPAddress.Parse("1.2.3.4")), HostEntry.Parse("a:1.2.3.4"));
        Assert.Equal(new HostEntry("a", IPAddress.Parse("::1")), HostEntry.Parse("a:::1"));
        Assert.Equal(new HostEntry("a", IPAddress.Parse("fd00::2")), HostEntry.Parse("a=[fd00::2]"));
        Assert.Equal(new ProcessLimit("RLIMIT_NOFILE", 1024, 1024), ProcessLimit.Parse("nofile=1024"));
        Assert.Equal(new ProcessLimit("RLIMIT_NPROC", 10, ulong.MaxValue), ProcessLimit.Parse("nproc=10:-1"));
    }
}
