using System.Text.RegularExpressions;
using Tabula.Tests.Integration;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's frontend/dockerfile/dockerfile_resources_test.go: build-wide settings of RUN containers, given as
/// tabula build's (docker build's) flags instead of BuildKit's frontend attributes. RUN goes through runc.
/// </summary>
public sealed class ResourcesTests
{
    [Fact]
    public async Task TestShmSize()
    {
        using var fixture = await RunFixture.CreateAsync(TestContext.Current.CancellationToken);
        var image = await BusyboxBuild.BuildImageAsync(fixture, "shm:1", """
            FROM busybox AS base
            RUN mount | grep /dev/shm > /shmsize
            FROM scratch
            COPY --from=base /shmsize /
            """, "--shm-size", "134217728");
        Assert.Contains("size=131072k", await BusyboxBuild.FileTextAsync(image, "shmsize"));
    }

    [Fact]
    public async Task TestUlimit()
    {
        using var fixture = await RunFixture.CreateAsync(TestContext.Current.CancellationToken);
        var image = await BusyboxBuild.BuildImageAsync(fixture, "ulimit:1", """
            FROM busybox AS base
            RUN ulimit -n > /ulimit
            FROM scratch
            COPY --from=base /ulimit /
            """, "--ulimit", "nofile=1062:1062");
        Assert.Equal("1062", (await BusyboxBuild.FileTextAsync(image, "ulimit"))?.Trim());
    }

    /// <summary>
    /// BuildKit's frontend attribute <c>cgroup-parent</c> is docker build's <c>--cgroup-parent</c>. The parent allows ten
    /// processes, so the RUN that starts ten more fails to fork. BuildKit's test needs cgroup v2 and asserts that the
    /// cgroup namespace hides the parent's name; on cgroup v1 (no namespace, as BuildKit) /proc/self/cgroup names it.
    /// </summary>
    [Fact]
    public async Task TestCgroupParent()
    {
        using var fixture = await RunFixture.CreateAsync(TestContext.Current.CancellationToken);
        bool v2 = File.Exists("/sys/fs/cgroup/cgroup.subtree_control");
        string name = "test." + Guid.NewGuid().ToString("N");
        // cgroup v1 has one hierarchy per controller: the limit goes to the pids one, the runtime makes the rest.
        string pids = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/pids";
        Directory.CreateDirectory(Path.Combine(pids, name));
        try
        {
            File.WriteAllText(Path.Combine(pids, name, "pids.max"), "10");
            var image = await BusyboxBuild.BuildImageAsync(fixture, "cgroup:1", """
                FROM alpine AS base
                RUN mkdir /out; (for i in $(seq 1 10); do sleep 1 & done 2>/out/error); cat /proc/self/cgroup > /out/cgroup
                FROM scratch
                COPY --from=base /out /
                """, "--cgroup-parent", name);
            var cgroup = (await BusyboxBuild.FileTextAsync(image, "cgroup"))!.Trim();
            if (v2) Assert.DoesNotContain(name, cgroup); // cgroupns does not leak the parent cgroup name
            // v1: the container's cgroup is PATH/ID, as under docker's legacy builder (BuildKit puts buildkit/ between).
            else Assert.Matches(new Regex($@":pids:/{Regex.Escape(name)}/[^/\n]+$", RegexOptions.Multiline), cgroup);
            Assert.Contains("Resource temporarily unavailable", await BusyboxBuild.FileTextAsync(image, "error"));
        }
        finally
        {
            RemoveCgroup(name, v2);
        }
    }

    /// <summary>The parent cgroup in every hierarchy (the runtime removed the containers' own below it).</summary>
    private static void RemoveCgroup(string name, bool v2)
    {
        var hierarchies = v2 ? ["/sys/fs/cgroup"] : Directory.GetDirectories("/sys/fs/cgroup");
        foreach (var hierarchy in hierarchies)
        {
            var path = Path.Combine(hierarchy, name);
            if (Directory.Exists(path)) Directory.Delete(path); // rmdir: a cgroup's files are not files to delete
        }
    }

    /// <summary>BuildKit's frontend attribute <c>memory</c> is docker build's <c>--memory</c>; on cgroup v1 the limit is <c>memory.limit_in_bytes</c>.</summary>
    [Fact]
    public async Task TestLinuxResources()
    {
        using var fixture = await RunFixture.CreateAsync(TestContext.Current.CancellationToken);
        var image = await BusyboxBuild.BuildImageAsync(fixture, "memory:1", """
            FROM alpine AS base
            RUN mkdir /out && { cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; } > /out/memory
            FROM scratch
            COPY --from=base /out /
            """, "--memory", "67108864");
        Assert.Equal("67108864", (await BusyboxBuild.FileTextAsync(image, "memory"))?.Trim());
    }
}
