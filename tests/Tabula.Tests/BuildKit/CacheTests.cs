using Tabula.Tests.Integration;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's <c>frontend/dockerfile/dockerfile_cache_test.go</c>, the tests about the local build cache (cache
/// import and export: <see cref="CacheImportExportTests"/>). Through runc as root.
/// </summary>
public sealed class CacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task BuildOkAsync(RunFixture fixture, string context, params string[] flags)
    {
        var (code, output, error) = await fixture.TabulaAsync(Ct, ["build", .. flags, context]);
        Assert.True(code == 0, error + output);
    }

    /// <summary>
    /// moby/buildkit#5305: under --no-cache a cache mount with a mode is a fresh cache for that build, and the cache of
    /// the cached builds is still there afterwards (abc and ghi, never def).
    /// </summary>
    [Fact]
    public async Task TestCacheMountModeNoCache()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"""
            FROM {RunFixture.BaseImage} AS base
            ARG FOO=abc
            RUN --mount=type=cache,target=/cache,mode=0773 touch /cache/$FOO && ls -l /cache | wc -l > /out
            FROM scratch
            COPY --from=base /out /
            """);
        await BuildOkAsync(fixture, context, "--target", "base", "-t", "out:1");
        Assert.Equal("2\n", await fixture.CatAsync("out:1", "/out", Ct));
        await BuildOkAsync(fixture, context, "--target", "base", "-t", "out:2", "--no-cache", "--build-arg", "FOO=def");
        Assert.Equal("2\n", await fixture.CatAsync("out:2", "/out", Ct));
        await BuildOkAsync(fixture, context, "--target", "base", "-t", "out:3", "--build-arg", "FOO=ghi");
        Assert.Equal("3\n", await fixture.CatAsync("out:3", "/out", Ct));
    }

    /// <summary>#2008: renaming the file a wildcard COPY matched invalidates the cache, so the RUN that needs it fails.</summary>
    [Fact]
    public async Task TestWildcardRenameCache()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"""
            FROM {RunFixture.BaseImage}
            COPY file* /files/
            RUN ls /files/file1
            """, ("file1", "foo"));
        await BuildOkAsync(fixture, context);
        File.Move(Path.Combine(context, "file1"), Path.Combine(context, "file2"));
        var (code, _, _) = await fixture.TabulaAsync(Ct, "build", context);
        Assert.NotEqual(0, code);
    }

    /// <summary>
    /// A wildcard COPY's cache is keyed on the files it matched: changing a file a later COPY adds keeps the RUN between
    /// them cached (same random bytes), changing a matched file runs it again.
    /// </summary>
    [Fact]
    public async Task TestCopyWildcardCache()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"""
            FROM {RunFixture.BaseImage} AS base
            COPY foo* files/
            RUN cat /dev/urandom | head -c 100 | sha256sum > unique
            COPY bar files/
            FROM scratch
            COPY --from=base unique /
            """, ("foo1", "foo1-data"), ("foo2", "foo2-data"), ("bar", "bar-data"));
        await BuildOkAsync(fixture, context, "-t", "out:1");
        var first = await UniqueAsync(fixture, "out:1");

        File.WriteAllText(Path.Combine(context, "bar"), "bar-data-mod");
        await BuildOkAsync(fixture, context, "-t", "out:2");
        Assert.Equal(first, await UniqueAsync(fixture, "out:2"));

        File.WriteAllText(Path.Combine(context, "foo2"), "foo2-data-mod");
        await BuildOkAsync(fixture, context, "-t", "out:3");
        Assert.NotEqual(first, await UniqueAsync(fixture, "out:3"));
    }

    /// <summary>The image is FROM scratch (nothing to run there): its one file is read from the layers.</summary>
    private static async Task<string?> UniqueAsync(RunFixture fixture, string tag)
        => await BusyboxBuild.FileTextAsync(await BusyboxBuild.LoadAsync(fixture, tag), "unique");

    /// <summary>
    /// --no-cache runs every RUN again (and caches the results); --no-cache-filter s1 runs only s1's RUN again, s0's
    /// comes from the cache the --no-cache build left.
    /// </summary>
    [Fact]
    public async Task TestNoCache()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"""
            FROM {RunFixture.BaseImage} AS s0
            RUN cat /dev/urandom | head -c 100 | sha256sum | tee unique
            FROM {RunFixture.BaseImage} AS s1
            RUN cat /dev/urandom | head -c 100 | sha256sum | tee unique2
            FROM scratch
            COPY --from=s0 unique /
            COPY --from=s1 unique2 /
            """);
        await BuildOkAsync(fixture, context, "-t", "out:1");
        await BuildOkAsync(fixture, context, "-t", "out:2", "--no-cache");
        await BuildOkAsync(fixture, context, "-t", "out:3", "--no-cache-filter", "s1");
        async Task<(string? Unique, string? Unique2)> ReadAsync(string tag)
        {
            var image = await BusyboxBuild.LoadAsync(fixture, tag);
            return (await BusyboxBuild.FileTextAsync(image, "unique"), await BusyboxBuild.FileTextAsync(image, "unique2"));
        }
        var (first, second, third) = (await ReadAsync("out:1"), await ReadAsync("out:2"), await ReadAsync("out:3"));
        Assert.NotEqual(first.Unique, second.Unique);
        Assert.NotEqual(first.Unique2, second.Unique2);
        Assert.Equal(second.Unique, third.Unique);
        Assert.NotEqual(second.Unique2, third.Unique2);
        Assert.NotEqual(first.Unique2, third.Unique2);
    }
}
