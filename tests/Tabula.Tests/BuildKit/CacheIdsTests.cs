using Tabula.Build.SharedCache;
using Tabula.Tests.Build;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's <c>frontend/dockerfile/dockerfile_cache_test.go</c>, the tests that a rebuild the cache answers whole
/// gives the image the first build gave, byte for byte, without SOURCE_DATE_EPOCH: the history times are the times
/// the cached results were made, not the rebuild's. Through runc as root.
/// </summary>
public sealed class CacheIdsTests
{
    private const string Dockerfile = """
        FROM busybox
        ENV foo=bar
        COPY foo /
        RUN echo bar > bar
        """;

    /// <summary>The same Dockerfile built twice under two names in one store: the second build, all hits, names the first's manifest.</summary>
    [Fact]
    public async Task TestReproducibleIDs()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        await h.AddBusyboxAsync();
        h.File("foo", "foo-contents", "600");

        var first = await h.BuildAsync(h.Options(Dockerfile, "example.com/moby/dockerfileids:test") with { Timestamp = null });
        var second = await h.BuildAsync(h.Options(Dockerfile, "example.com/moby/dockerfileids2:test") with { Timestamp = null });

        Assert.Equal(first.Manifest, second.Manifest);
    }

    /// <summary>
    /// The first build exports its cache; the second, in an empty store (BuildKit deletes the image and prunes its
    /// cache), imports it and names the first's manifest. BuildKit exports to a registry; the cache directory
    /// (<c>type=local</c>) carries the same key map.
    /// </summary>
    [Fact]
    public async Task TestImportExportReproducibleIDs()
    {
        BuildKitHarness.RequireRun();
        using var cacheDir = new TempDir("cache-dir");
        var cache = cacheDir.Combine("dockerfileexpids");

        using var exporter = new BuildHarness();
        await exporter.AddBusyboxAsync();
        exporter.File("foo", "foobar", "600");
        var first = await exporter.BuildAsync(exporter.Options(Dockerfile, "example.com/moby/dockerfileexpids:test") with
        {
            Timestamp = null,
            CacheTo = [new CacheExportTarget(new LocalCacheLocation(cache))],
        });

        // Another store, the same context folder (as in BuildKit's test): without an epoch a file's mtime is in COPY's key.
        using var importer = new BuildHarness();
        await importer.AddBusyboxAsync();
        var second = await importer.BuildAsync(importer.Options(Dockerfile, "example.com/moby/dockerfileexpids2:test") with
        {
            ContextDirectory = exporter.ContextDirectory,
            Timestamp = null,
            CacheTo = [new CacheExportTarget(new LocalCacheLocation(cache))],
            CacheFrom = [new LocalCacheLocation(cache)],
        });

        Assert.Equal(2, importer.Events.OfType<Tabula.Build.StepCacheHit>().Count());
        Assert.Equal(first.Manifest, second.Manifest);
    }
}
