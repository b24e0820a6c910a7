using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// RUN's identity (issue item 8), as BuildKit's testUserAdditionalGids checks it (dockerfile_test.go) and as docker's
/// legacy builder gives it: <c>USER name</c> gets the primary group and every group of /etc/group that lists the user;
/// <c>USER uid:gid</c> only that group; and the build fails otherwise, in either builder.
/// </summary>
public sealed class RunUserGroupsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Passwd = "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
    private const string Group = "root:x:0:\ndaemon:x:1:\nwheel:x:10:root\nnogroup:x:65534:\n";

    private static string Dockerfile(string from) => $"""
        FROM {from}
        COPY etc/ /etc/
        SHELL ["/bin/sh", "-euxc"]
        RUN [ "$(id)" = "uid=0(root) gid=0(root) groups=0(root),10(wheel)" ]
        USER 1234
        RUN [ "$(id)" = "uid=1234 gid=0(root) groups=0(root)" ]
        USER 1234:1234
        RUN [ "$(id)" = "uid=1234 gid=1234 groups=1234" ]
        USER daemon
        RUN [ "$(id)" = "uid=1(daemon) gid=1(daemon) groups=1(daemon)" ]
        USER root:daemon
        RUN [ "$(id)" = "uid=0(root) gid=1(daemon) groups=1(daemon)" ]
        """;

    [Fact]
    public async Task Supplementary_groups_are_buildkits()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("groups", Dockerfile(RunFixture.BaseImage), ("etc/passwd", Passwd), ("etc/group", Group));
        await fixture.BuildAsync(context, "groups:1", Ct);
    }

    /// <summary>The same Dockerfile, its checks unchanged, passes under docker's legacy builder from the same base.</summary>
    [Fact]
    public async Task Dockers_legacy_builder_gives_the_same_groups()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        await using var docker = await Docker.ConnectAsync(Ct);
        var baseTag = await fixture.ShareBaseWithDockerAsync(docker, Ct);
        var context = fixture.Context("groups-docker", Dockerfile(baseTag), ("etc/passwd", Passwd), ("etc/group", Group));
        await docker.BuildLegacyAsync(context, docker.NewTag("groups"), Ct);
    }
}
