using Tabula.Tests.Integration;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's <c>frontend/dockerfile/dockerfile_mount_test.go</c>: RUN --mount of the context, tmpfs, cache and bind
/// mounts, their variables and their errors. RUN runs through runc as root, on the offline busybox image; without
/// them each test is skipped with the reason.
/// </summary>
public sealed class MountTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int Code, string Out, string Err)> BuildAsync(RunFixture fixture, string context, params string[] flags) =>
        await fixture.TabulaAsync(Ct, ["build", .. flags, context]);

    private static async Task BuildOkAsync(RunFixture fixture, string context, params string[] flags)
    {
        var (code, output, error) = await BuildAsync(fixture, context, flags);
        Assert.True(code == 0, error + output);
    }

    /// <summary>A Dockerfile on the busybox image (with these context files) must build.</summary>
    private static async Task BuildsAsync(string dockerfile, params (string Path, string Text)[] files)
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        await BuildOkAsync(fixture, fixture.Context("ctx", Busybox(dockerfile), files));
    }

    private static string Busybox(string dockerfile) => dockerfile.Replace("FROM busybox", "FROM " + RunFixture.BaseImage, StringComparison.Ordinal);

    [Fact]
    public async Task TestMountContext()
    {
        await BuildsAsync("""
            FROM busybox
            RUN --mount=target=/context [ "$(cat /context/testfile)" == "contents0" ]
            """, ("testfile", "contents0"));
    }

    /// <summary>
    /// The second stage's RUN mounts only <c>out</c> of the build stage: a changed cachebust reruns the build stage (its
    /// files get new mtimes) but leaves out/foo as it was, so the RUN is still cached by that content.
    /// </summary>
    [Fact]
    public async Task TestMountRWCache()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        const string Dockerfile = """
            from busybox AS build
            copy cachebust /
            run mkdir out && echo foo > out/foo

            from busybox as second
            RUN --mount=from=build,src=out,target=/out,rw touch /out/bar && cat /dev/urandom | head -c 100 | sha256sum > /unique

            from scratch
            COPY --from=second /unique /unique
            """;
        var dockerfile = System.Text.RegularExpressions.Regex.Replace(Dockerfile, "^from busybox", "from " + RunFixture.BaseImage, System.Text.RegularExpressions.RegexOptions.Multiline);
        await BuildOkAsync(fixture, fixture.Context("ctx1", dockerfile, ("cachebust", "0")), "-t", "rwcache:1");
        await BuildOkAsync(fixture, fixture.Context("ctx2", dockerfile, ("cachebust", "1")), "-t", "rwcache:2");
        var first = await BusyboxBuild.FileTextAsync(await BusyboxBuild.LoadAsync(fixture, "rwcache:1"), "unique");
        var second = await BusyboxBuild.FileTextAsync(await BusyboxBuild.LoadAsync(fixture, "rwcache:2"), "unique");
        Assert.Equal(first, second);

        // Changed content under the source is a miss.
        var changed = dockerfile.Replace("echo foo > out/foo", "echo changed > out/foo", StringComparison.Ordinal);
        await BuildOkAsync(fixture, fixture.Context("ctx3", changed, ("cachebust", "1")), "-t", "rwcache:3");
        Assert.NotEqual(first, await BusyboxBuild.FileTextAsync(await BusyboxBuild.LoadAsync(fixture, "rwcache:3"), "unique"));
    }

    [Fact]
    public async Task TestMountTmpfs()
    {
        await BuildsAsync("""
            FROM busybox
            RUN --mount=target=/mytmp,type=tmpfs touch /mytmp/foo
            RUN [ ! -f /mytmp/foo ]
            """);
    }

    [Fact]
    public async Task TestMountInvalid()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var (code, _, error) = await BuildAsync(fixture, fixture.Context("flag", "FROM scratch\nRUN --mont=target=/mytmp,type=tmpfs /bin/true\n"));
        Assert.NotEqual(0, code);
        Assert.Contains("unknown flag: --mont", error);
        Assert.Contains("did you mean mount?", error);

        (code, _, error) = await BuildAsync(fixture, fixture.Context("key", "FROM scratch\nRUN --mount=typ=tmpfs /bin/true\n"));
        Assert.NotEqual(0, code);
        Assert.Contains("unexpected key 'typ'", error);
        Assert.Contains("did you mean type?", error);
        Assert.Contains("Dockerfile:2", error);

        (code, _, error) = await BuildAsync(fixture, fixture.Context("type", "FROM scratch\nRUN --mount=type=tmp /bin/true\n"));
        Assert.NotEqual(0, code);
        Assert.Contains("unsupported mount type \"tmp\"", error);
        Assert.Contains("did you mean tmpfs?", error);
    }

    [Fact]
    public async Task TestCacheMountUser()
    {
        await BuildsAsync("""
            FROM busybox
            RUN --mount=type=cache,target=/mycache,uid=1001,gid=1002,mode=0751 [ "$(stat -c "%u %g %f" /mycache)" == "1001 1002 41e9" ]
            """);
    }

    [Fact]
    public async Task TestCacheMountDefaultID()
    {
        await BuildsAsync("""
            FROM busybox
            RUN --mount=type=cache,target=/mycache touch /mycache/foo
            RUN --mount=type=cache,target=/mycache2 [ ! -f /mycache2/foo ]
            RUN --mount=type=cache,target=/mycache [ -f /mycache/foo ]
            """);
    }

    [Fact]
    public async Task TestMountEnvVar()
    {
        await BuildsAsync("""
            FROM busybox
            ENV SOME_PATH=/mycache
            RUN --mount=type=cache,target=/mycache touch /mycache/foo
            RUN --mount=type=cache,target=$SOME_PATH [ -f $SOME_PATH/foo ]
            """);
    }

    [Fact]
    public async Task TestMountArg()
    {
        await BuildsAsync("""
            FROM busybox
            ARG MNT_TYPE=cache
            RUN --mount=type=$MNT_TYPE,target=/mycache2 touch /mycache2/foo
            RUN --mount=type=cache,target=/mycache2 [ -f /mycache2/foo ]
            """);
    }

    [Fact]
    public async Task TestMountEnvAcrossStages()
    {
        await BuildsAsync("""
            FROM busybox as stage1

            ENV MNT_ID=mycache
            ENV MNT_TYPE2=cache
            RUN --mount=type=cache,id=mycache,target=/abcabc touch /abcabc/foo
            RUN --mount=type=$MNT_TYPE2,id=$MNT_ID,target=/cbacba [ -f /cbacba/foo ]

            FROM stage1
            RUN --mount=type=$MNT_TYPE2,id=$MNT_ID,target=/whatever [ -f /whatever/foo ]
            """);
    }

    [Fact]
    public async Task TestMountMetaArg()
    {
        await BuildsAsync("""
            ARG META_PATH=/tmp/meta

            FROM busybox
            ARG META_PATH
            RUN --mount=type=cache,id=mycache,target=/tmp/meta touch /tmp/meta/foo
            RUN --mount=type=cache,id=mycache,target=$META_PATH [ -f /tmp/meta/foo ]
            """);
    }

    [Fact]
    public async Task TestMountFromError()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", Busybox("""
            FROM busybox as test
            RUN touch /tmp/test

            FROM busybox
            ENV ttt=test
            RUN --mount=from=$ttt,type=cache,target=/tmp ls
            """));
        var (code, _, error) = await BuildAsync(fixture, context);
        Assert.NotEqual(0, code);
        Assert.Contains("'from' doesn't support variable expansion, define alias stage instead", error);
    }

    [Fact]
    public async Task TestMountTmpfsSize()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", Busybox("""
            FROM busybox AS base
            RUN --mount=type=tmpfs,target=/dev/shm,size=128m mount | grep /dev/shm > /tmpfssize
            FROM scratch
            COPY --from=base /tmpfssize /
            """));
        await BuildOkAsync(fixture, context, "--target", "base", "-t", "tmpfs-size");
        Assert.Contains("size=131072k", await fixture.CatAsync("tmpfs-size", "/tmpfssize", Ct));
    }

    /// <summary>moby/buildkit#4123: a bind of the whole context and one of its files, and a rebuild after a file changes.</summary>
    [Fact]
    public async Task TestMountDuplicate()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var dockerfile = Busybox("""
            FROM busybox AS base
            RUN --mount=source=.,target=/tmp/test \
              --mount=source=b.txt,target=/tmp/b.txt \
              cat /tmp/test/a.txt /tmp/b.txt > /combined.txt
            FROM scratch
            COPY --from=base /combined.txt /
            """);
        foreach (var (text, n) in new[] { ("foo\n", 1), ("updated\n", 2) })
        {
            var context = fixture.Context("ctx" + n, dockerfile, ("a.txt", text), ("b.txt", "bar\n"));
            await BuildOkAsync(fixture, context, "--target", "base", "-t", "duplicate:" + n);
            Assert.Equal(text + "bar\n", await fixture.CatAsync("duplicate:" + n, "/combined.txt", Ct));
        }
    }

    /// <summary>
    /// Two stages side by side with nested cache mounts (/foo/bar and /foo/bar/baz). BuildKit repeats the build 20
    /// times to catch a runc race; a few rounds here, each without the build cache so every RUN runs.
    /// </summary>
    [Fact]
    public async Task TestCacheMountParallel()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", Busybox("""
            FROM busybox AS b1
            RUN --mount=type=cache,target=/foo/bar --mount=type=cache,target=/foo/bar/baz echo 1

            FROM busybox AS b2
            RUN --mount=type=cache,target=/foo/bar --mount=type=cache,target=/foo/bar/baz echo 2

            FROM scratch
            COPY --from=b1 /etc/passwd p1
            COPY --from=b2 /etc/passwd p2
            """));
        for (int round = 0; round < 3; round++)
            await BuildOkAsync(fixture, context, "--no-cache");
    }

    /// <summary>A cache's source= that a RUN made a symlink to /etc must not mount the stage's /etc.</summary>
    [Fact]
    public async Task TestCacheMountSourceEscape()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", Busybox("""
            FROM busybox AS init
            RUN --mount=type=cache,id=sourceescape,target=/cache mkdir -p /cache/sel && echo benign > /cache/sel/benign.txt

            FROM init AS link
            RUN --mount=type=cache,id=sourceescape,target=/cache rm -rf /cache/sel && ln -s /etc /cache/sel

            FROM link AS victim
            RUN --mount=type=cache,id=sourceescape,source=sel,target=/victim cat /victim/hostname

            FROM scratch
            COPY --from=victim /etc/hostname /hostname
            """));
        var (code, output, error) = await BuildAsync(fixture, context, "--no-cache");
        Assert.True(code != 0, "build must fail when a cache source= resolves through a link outside the cache root: " + output);
        Assert.Contains("symlink", error);
    }
}
