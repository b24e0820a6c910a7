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
}
