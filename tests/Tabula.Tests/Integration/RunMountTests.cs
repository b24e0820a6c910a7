namespace Tabula.Tests.Integration;

/// <summary>RUN --mount=type=tmpfs, bind and cache through runc: the command sees them, the layer holds none of them.</summary>
public sealed class RunMountTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<string>> BuildAsync(RunFixture fixture, string tag, string context)
    {
        var (code, output, error) = await fixture.TabulaAsync(Ct, "build", "-t", tag, context);
        Assert.True(code == 0, error + output);
        return (await RunBuildTests.TopLayerAsync(fixture, tag)).Select(e => e.Path).ToList();
    }

    private static Task<string> CatAsync(RunFixture fixture, string tag, string path) => fixture.CatAsync(tag, path, Ct);

    [Fact]
    public async Task A_tmpfs_is_empty_writable_and_in_no_layer()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"""
            FROM {RunFixture.BaseImage}
            RUN --mount=type=tmpfs,target=/scratch --mount=type=tmpfs,target=scratch2,size=1048576 ls -A /scratch > /listing && echo hi > /scratch/f && echo w > /scratch2/g && cat /scratch/f > /out
            """);
        var paths = await BuildAsync(fixture, "mount-tmpfs:1", context);
        Assert.Contains("out", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("scratch", StringComparison.Ordinal) || p.StartsWith("scratch2", StringComparison.Ordinal));
        Assert.Equal("hi\n", await CatAsync(fixture, "mount-tmpfs:1", "/out"));
        Assert.Equal("", await CatAsync(fixture, "mount-tmpfs:1", "/listing"));
    }

    [Fact]
    public async Task A_bind_of_the_context_is_read_only_and_a_rw_one_leaves_the_context_alone()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"""
            FROM {RunFixture.BaseImage}
            RUN --mount=type=bind,source=sub/data.txt,target=/mnt/data cat /mnt/data > /copied
            RUN --mount=type=bind,target=/ctx sh -c 'if touch /ctx/new 2>/dev/null; then echo writable; else echo read-only; fi > /ro'
            RUN --mount=type=bind,target=/ctx,rw rm /ctx/sub/data.txt && touch /ctx/new && ls /ctx > /rw
            """, ("sub/data.txt", "context data\n"));
        var paths = await BuildAsync(fixture, "mount-bind:1", context);
        Assert.Equal(["rw"], paths);
        Assert.Equal("context data\n", await CatAsync(fixture, "mount-bind:1", "/copied"));
        Assert.Equal("read-only\n", await CatAsync(fixture, "mount-bind:1", "/ro"));
        Assert.Contains("new", await CatAsync(fixture, "mount-bind:1", "/rw"));
        Assert.True(File.Exists(Path.Combine(context, "sub", "data.txt")));
        Assert.False(File.Exists(Path.Combine(context, "new")));
        var (code, _, _) = await fixture.TabulaAsync(Ct, "run", "--rm", "mount-bind:1", "test", "-e", "/mnt/data");
        Assert.NotEqual(0, code);
    }

    [Fact]
    public async Task A_bind_from_a_stage_or_an_image_mounts_its_files()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"""
            FROM {RunFixture.BaseImage} AS made
            RUN echo from-the-stage > /made
            FROM {RunFixture.BaseImage}
            RUN --mount=type=bind,from=made,source=/made,target=/m --mount=type=bind,from={RunFixture.BaseImage},target=/img cat /m > /got && test -e /img/bin/sh && echo yes >> /got
            """);
        var paths = await BuildAsync(fixture, "mount-from:1", context);
        Assert.Equal(["got"], paths);
        Assert.Equal("from-the-stage\nyes\n", await CatAsync(fixture, "mount-from:1", "/got"));
    }

    [Fact]
    public async Task A_cache_mount_keeps_its_content_between_builds_and_out_of_layers()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var first = fixture.Context("one", $"""
            FROM {RunFixture.BaseImage}
            RUN --mount=type=cache,target=/var/cache/app echo kept > /var/cache/app/f
            RUN --mount=type=cache,id=shared,target=/a echo shared > /a/s && echo > /marker
            """);
        Assert.Equal(["marker"], await BuildAsync(fixture, "mount-cache:1", first));

        var second = fixture.Context("two", $"""
            FROM {RunFixture.BaseImage}
            RUN --mount=type=cache,target=/var/cache/app --mount=type=cache,id=shared,target=/b,readonly cat /var/cache/app/f /b/s > /seen
            """);
        var paths = await BuildAsync(fixture, "mount-cache:2", second);
        Assert.Equal(["seen"], paths);
        Assert.Equal("kept\nshared\n", await CatAsync(fixture, "mount-cache:2", "/seen"));
        Assert.True(File.Exists(Path.Combine(fixture.Store, "cache", "mounts", "shared", "s")));
    }

    [Fact]
    public async Task A_step_with_a_bind_mount_never_reuses_a_result_made_from_other_content()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var dockerfile = $"FROM {RunFixture.BaseImage}\nRUN --mount=type=bind,source=d.txt,target=/d echo ran && cat /d > /out\n";
        var context = fixture.Context("ctx", dockerfile, ("d.txt", "one\n"));
        await BuildAsync(fixture, "mount-key:1", context);
        File.WriteAllText(Path.Combine(context, "d.txt"), "two\n");
        var (code, output, error) = await fixture.TabulaAsync(Ct, "build", "-t", "mount-key:2", context);
        Assert.True(code == 0, error);
        Assert.DoesNotContain("Using cache", output);
        Assert.Contains("| ran", output);
        Assert.Equal("two\n", await CatAsync(fixture, "mount-key:2", "/out"));
    }

    [Fact]
    public async Task A_step_with_only_a_cache_mount_is_cached_on_its_spec()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"FROM {RunFixture.BaseImage}\nRUN --mount=type=cache,target=/c echo ran > /out\n");
        await BuildAsync(fixture, "mount-cached:1", context);
        var (code, output, error) = await fixture.TabulaAsync(Ct, "build", "-t", "mount-cached:2", context);
        Assert.True(code == 0, error);
        Assert.Contains("Using cache", output);
    }

    /// <summary>
    /// As in BuildKit (which keys a cache on its id and on the mkdir of its root), one id with another uid, gid or mode
    /// is another cache; the same effective mode and owner (uid=1000 and uid=1000,gid=0,mode=755) are one cache, and
    /// one without any of them is a third.
    /// </summary>
    [Fact]
    public async Task Cache_mounts_of_one_id_with_another_uid_gid_or_mode_are_separate_caches()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"""
            FROM {RunFixture.BaseImage}
            RUN --mount=type=cache,id=c,target=/c,uid=1000 touch /c/by-1000
            RUN --mount=type=cache,id=c,target=/c,uid=1001 sh -c 'ls -A /c > /seen-1001; stat -c %u /c >> /seen-1001'
            RUN --mount=type=cache,id=c,target=/c,gid=5 sh -c 'ls -A /c > /seen-gid5; stat -c %g /c >> /seen-gid5'
            RUN --mount=type=cache,id=c,target=/c ls -A /c > /seen-plain
            RUN --mount=type=cache,id=c,target=/c,gid=0,uid=1000,mode=755 ls -A /c > /seen-1000
            """);
        await BuildAsync(fixture, "cache-owner:1", context);
        Assert.Equal("1001\n", await CatAsync(fixture, "cache-owner:1", "/seen-1001"));
        Assert.Equal("5\n", await CatAsync(fixture, "cache-owner:1", "/seen-gid5"));
        Assert.Equal("", await CatAsync(fixture, "cache-owner:1", "/seen-plain"));
        Assert.Equal("by-1000\n", await CatAsync(fixture, "cache-owner:1", "/seen-1000"));
    }

    /// <summary>
    /// BuildKit (its client test testMountStubsDirectory) removes the mount points it had to make, deepest first, when
    /// they are still empty, and keeps an existing directory used as a mount point: the RUN's layer holds only what the
    /// command wrote — also where the target goes through a symlink (the mount point is made and removed where the link
    /// leads, as BuildKit resolves it).
    /// </summary>
    [Fact]
    public async Task Mount_points_the_run_had_to_make_are_removed_when_empty()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"""
            FROM {RunFixture.BaseImage}
            RUN mkdir -m 700 /test /test/qux /data && ln -s ../data /test/link
            RUN --mount=type=tmpfs,target=/test/foo --mount=type=tmpfs,target=/test/bar/x/y --mount=type=tmpfs,target=/test/baz/x --mount=type=tmpfs,target=/test/qux --mount=type=tmpfs,target=/test/link/x/y touch /test/baz/keep
            """);
        var paths = await BuildAsync(fixture, "mount-stubs:1", context);
        Assert.Contains("test/baz/keep", paths);
        Assert.Contains("test/baz", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("test/foo", StringComparison.Ordinal) || p.StartsWith("test/bar", StringComparison.Ordinal)
            || p.StartsWith("test/baz/x", StringComparison.Ordinal) || p.StartsWith("test/qux", StringComparison.Ordinal)
            || p.StartsWith("data", StringComparison.Ordinal) || p.StartsWith("test/link", StringComparison.Ordinal));
        var (code, _, _) = await fixture.TabulaAsync(Ct, "run", "--rm", "mount-stubs:1", "test", "-d", "/test/qux");
        Assert.Equal(0, code);
    }
}
