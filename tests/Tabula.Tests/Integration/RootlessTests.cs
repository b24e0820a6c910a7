using System.Formats.Tar;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// Rootless mode: a normal user builds with RUN and runs the image through runc in a user namespace. The base
/// image (the busybox fixture plus files with other owners and a setuid bit) is built as root; the rest runs as
/// uid 65534 over the same store.
/// </summary>
public sealed class RootlessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_normal_user_builds_with_run_and_runs_the_image()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var baseContext = fixture.Context("base", $"""
            FROM {RunFixture.BaseImage}
            COPY --chown=100:101 owned.txt /srv/owned.txt
            COPY --chown=5:6 --chmod=4750 tool /srv/tool
            COPY --chown=7:8 kept.txt /srv/kept.txt
            """, ("owned.txt", "owned\n"), ("tool", "#!/bin/sh\necho tool\n"), ("kept.txt", "kept\n"));
        var (baseCode, _, baseError) = await fixture.TabulaAsync(Ct, "build", "-q", "-t", "rootless-base:1", baseContext);
        Assert.True(baseCode == 0, baseError);
        var context = fixture.Context("ctx", """
            FROM rootless-base:1
            RUN id -u && echo more >> /srv/owned.txt && echo new > /srv/new && rm /etc/shadow && mkdir /srv/ro && chmod 555 /srv/ro && echo ran
            """);
        var user = await UnprivilegedTabula.CreateAsync(fixture.Temp.CreateDirectory("user"), Ct);
        await UnprivilegedTabula.GiveAsync(fixture.Temp.Path, Ct);

        var build = await user.RunAsync(fixture.Store, ["build", "-t", "rootless:1", context], Ct);

        Assert.True(build.Succeeded, build.StandardError + build.StandardOutput);
        // auto chose the overlay in the user namespace: the user's own snapshots (base layers and the RUN's) are there.
        Assert.NotEmpty(Directory.GetDirectories(Path.Combine(fixture.Store, "snapshots", "rootless-" + UnprivilegedTabula.Id, "sha256")));
        Assert.Contains(" 0\n", build.StandardOutput); // root inside the user namespace
        Assert.Contains(" ran", build.StandardOutput);
        var archive = fixture.Temp.Combine("rootless.tar");
        Assert.True((await user.RunAsync(fixture.Store, ["save", "-o", archive, "rootless:1"], Ct)).Succeeded);
        var layer = (await DockerSaveArchive.ReadLayerListingsAsync(archive, Ct))[^1].ToDictionary(r => r.Path);
        Assert.Equal(["etc", "etc/.wh.shadow", "srv", "srv/new", "srv/owned.txt", "srv/ro"], layer.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((100, 101), (layer["srv/owned.txt"].Uid, layer["srv/owned.txt"].Gid)); // changed: keeps its owner
        Assert.Equal((0, 0, TarEntryType.RegularFile), (layer["srv/new"].Uid, layer["srv/new"].Gid, layer["srv/new"].Type)); // made by root
        Assert.Equal((0, 0, "0555"), (layer["srv/ro"].Uid, layer["srv/ro"].Gid, layer["srv/ro"].OctalMode));
        Assert.Empty(Directory.EnumerateFileSystemEntries(user.Temporary)); // bundles removed, read-only directories too

        // A mount point under the read-only directory the first RUN made: its stub is made and removed again.
        var mounted = fixture.Context("mounted", """
            FROM rootless:1
            RUN --mount=type=tmpfs,target=/srv/ro/scratch touch /srv/ro/scratch/x && echo > /srv/after
            """);
        var second = await user.RunAsync(fixture.Store, ["build", "-t", "rootless:2", mounted], Ct);
        Assert.True(second.Succeeded, second.StandardError + second.StandardOutput);
        var archive2 = fixture.Temp.Combine("rootless2.tar");
        Assert.True((await user.RunAsync(fixture.Store, ["save", "-o", archive2, "rootless:2"], Ct)).Succeeded);
        var layer2 = (await DockerSaveArchive.ReadLayerListingsAsync(archive2, Ct))[^1];
        Assert.Equal(["srv", "srv/after"], layer2.Select(r => r.Path).Order(StringComparer.Ordinal));

        var run = await user.RunAsync(fixture.Store, ["run", "--rm", "rootless:1", "sh", "-c",
            "cat /srv/owned.txt /srv/new; stat -c %a /srv/tool /usr/bin/setuid-tool; test -e /etc/shadow || echo no-shadow; exit 3"], Ct);
        Assert.Equal(3, run.ExitCode);
        Assert.Equal("owned\nmore\nnew\n4750\n4755\nno-shadow\n", run.StandardOutput);

        var isolated = await user.RunAsync(fixture.Store, ["run", "--network", "none", "rootless:1", "ls", "/sys/class/net"], Ct);
        Assert.True(isolated.Succeeded, isolated.StandardError);
        Assert.Equal("lo\n", isolated.StandardOutput);

        var other = await user.RunAsync(fixture.Store, ["run", "-u", "nobody", "rootless:1", "id"], Ct);
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("cannot run rootless", other.StandardError);
        Assert.Single(other.StandardError.Trim().Split('\n'));
        Assert.Empty(Directory.EnumerateFileSystemEntries(user.Temporary));
    }

    /// <summary>Cgroup settings and a privileged RUN need root: rootless, the step stops with one line saying so.</summary>
    [Theory]
    [InlineData("RUN true", "--memory", "64m", "--memory/--cpu-* need tabula run as root")]
    [InlineData("RUN true", "--cgroup-parent", "ci", "--cgroup-parent need tabula run as root")]
    [InlineData("RUN --security=insecure true", "--allow", "security.insecure", "--security=insecure needs tabula run as root")]
    public async Task Cgroup_limits_and_insecure_are_refused_rootless(string run, string flag, string value, string message)
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"FROM {RunFixture.BaseImage}\n{run}\n");
        var user = await UnprivilegedTabula.CreateAsync(fixture.Temp.CreateDirectory("user"), Ct);
        await UnprivilegedTabula.GiveAsync(fixture.Temp.Path, Ct);

        var build = await user.RunAsync(fixture.Store, ["build", flag, value, context], Ct);

        Assert.Equal(1, build.ExitCode);
        var error = build.StandardError.Trim();
        Assert.Single(error.Split('\n'));
        Assert.StartsWith("Error: Dockerfile:2: RUN: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
