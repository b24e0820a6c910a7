using Tabula.Runtime;
using Tabula.Tests.BuildKit;
using Tabula.Tests.Integration;

namespace Tabula.Tests.Build;

/// <summary>
/// docker build's <c>--memory</c>, <c>--memory-swap</c>, <c>--cpu-shares</c>, <c>--cpuset-cpus</c> and <c>--cgroup-parent</c>:
/// what a RUN reads back from its own cgroup (v1 or v2, whichever this machine has), and the usage errors of bad values.
/// </summary>
public sealed class ContainerLimitsTests
{
    private static bool CgroupV2 => File.Exists("/sys/fs/cgroup/cgroup.subtree_control");

    /// <summary>Prints memory limit, memory+swap limit, CPU weight and cpuset from cgroup v2 files, else v1's.</summary>
    private const string ReadLimits = """
        FROM busybox AS base
        RUN if [ -e /sys/fs/cgroup/cgroup.controllers ]; then c=/sys/fs/cgroup; \
              echo $(cat $c/memory.max) $(cat $c/memory.swap.max) $(cat $c/cpu.weight) $(cat $c/cpuset.cpus) > /limits; \
            else c=/sys/fs/cgroup; \
              echo $(cat $c/memory/memory.limit_in_bytes) $(cat $c/memory/memory.memsw.limit_in_bytes 2>/dev/null || echo none) $(cat $c/cpu/cpu.shares) $(cat $c/cpuset/cpuset.cpus) > /limits; \
            fi
        FROM scratch
        COPY --from=base /limits /
        """;

    [Fact]
    public async Task Limits_reach_the_cgroup_of_run_and_key_the_cache()
    {
        using var fixture = await RunFixture.CreateAsync(TestContext.Current.CancellationToken);
        var image = await BusyboxBuild.BuildImageAsync(fixture, "limits:1", ReadLimits,
            "--memory", "64m", "--memory-swap", "96m", "--cpu-shares", "512", "--cpuset-cpus", "0");
        var values = (await BusyboxBuild.FileTextAsync(image, "limits"))!.Split(' ', StringSplitOptions.TrimEntries);
        Assert.Equal("67108864", values[0]);
        if (CgroupV2)
        {
            Assert.Equal("33554432", values[1]); // v2 limits swap alone: runc writes memory-swap minus memory
            Assert.Equal("20", values[2]); // runc's conversion of 512 shares to cpu.weight
        }
        else
        {
            Assert.True(values[1] is "100663296" or "none", values[1]); // memsw needs the kernel's swap accounting
            Assert.Equal("512", values[2]);
        }
        Assert.Equal("0", values[3]);

        // Another limit is another RUN, as in BuildKit, whose exec op carries its resources.
        image = await BusyboxBuild.BuildImageAsync(fixture, "limits:2", ReadLimits, "--memory", "32m", "--cpu-shares", "512", "--cpuset-cpus", "0");
        Assert.StartsWith("33554432 ", await BusyboxBuild.FileTextAsync(image, "limits"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--memory", "lots", "invalid --memory 'lots'")]
    [InlineData("--memory", "1m", "the minimum is 6m")]
    [InlineData("--memory-swap", "1g", "--memory-swap needs --memory")]
    [InlineData("--cpu-shares", "many", "invalid --cpu-shares 'many'")]
    [InlineData("--cpu-period", "10", "between 1000 and 1000000")]
    [InlineData("--cpuset-cpus", "0-a", "invalid --cpuset-cpus '0-a'")]
    [InlineData("--cpuset-cpus", "3-1", "the range 3-1 runs backwards")]
    [InlineData("--cgroup-parent", "ci/../x", "no '.' or '..' parts")]
    [InlineData("--cgroup-parent", "ci.slice:", "systemd slices")]
    [InlineData("--allow", "security.bogus", "invalid --allow 'security.bogus': give security.insecure, network.host or device")]
    public async Task Malformed_values_are_usage_errors(string flag, string value, string message)
        => await BuildContextFlagTests.AssertUsageErrorAsync(flag, value, message);

    [Fact]
    public void Swap_below_memory_is_refused_and_paths_are_taken_from_the_root()
    {
        var error = Assert.Throws<FormatException>(() => new ContainerResources { Memory = 64 << 20, MemorySwap = 32 << 20 }.Validated());
        Assert.Contains("at least --memory", error.Message, StringComparison.Ordinal);
        Assert.Equal(-1, new ContainerResources { Memory = 64 << 20, MemorySwap = -1 }.Validated().MemorySwap);
        Assert.Equal("/ci/jobs", SandboxSettings.ParseCgroupParent("ci/jobs/"));
        Assert.Equal("/ci", SandboxSettings.ParseCgroupParent("/ci"));
    }
}
