using Tabula.Build;
using Tabula.Build.SharedCache;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Build;

/// <summary>
/// The shared build cache without a registry: keys that travel between machines (another context folder, another
/// store, other inode numbers), and the OCI layout directory form of <c>--cache-to</c>/<c>--cache-from</c>.
/// </summary>
public class SharedCacheTests
{
    private const string Dockerfile = """
        FROM scratch AS tools
        COPY tools /tools
        FROM scratch
        COPY app /app
        WORKDIR /srv
        COPY --from=tools /tools/t /bin/t
        COPY etc ./
        """;

    /// <summary>The same files in a harness's context, with a hard link and a symlink whose inode numbers differ per folder.</summary>
    private static void WriteContext(BuildHarness h, string conf = "c")
    {
        h.File("app/main", "main", "755");
        h.File("app/lib/util", "util");
        h.Symlink("app/current", "main");
        h.File("tools/t", "tool", "755");
        h.File("etc/conf", conf);
        Tabula.Layers.Posix.Link(h.Files.Combine("etc", "conf"), h.Files.Combine("etc", "linked"));
    }

    private static string[] StepKeys(BuildHarness h)
        => Directory.GetFiles(Path.Combine(h.Store.Content.Root, "cache", "steps")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public async Task The_same_context_in_another_folder_and_store_gives_the_same_step_keys()
    {
        using var a = new BuildHarness();
        using var b = new BuildHarness();
        WriteContext(a);
        WriteContext(b);
        Assert.NotEqual(a.ContextDirectory, b.ContextDirectory);
        var built = await a.BuildAsync(Dockerfile);
        var other = await b.BuildAsync(Dockerfile);

        Assert.Equal(5, StepKeys(a).Length);
        Assert.Equal(StepKeys(a), StepKeys(b));
        Assert.Equal(built.Manifest.Digest, other.Manifest.Digest);
    }

    [Fact]
    public async Task A_local_cache_directory_serves_every_step_to_an_empty_store_and_gives_the_same_image()
    {
        using var cacheDir = new TempDir("cache-dir");
        var directory = cacheDir.Combine("cache");
        using var a = new BuildHarness();
        WriteContext(a);
        var built = await a.BuildAsync(a.Options(Dockerfile) with { CacheTo = [new CacheExportTarget(new LocalCacheLocation(directory), CacheMode.Max)] });
        Assert.Contains(a.Events.OfType<CacheProgress>(), p => p.Text == $"exporting cache to {directory}: 5 layers, 5 new");
        Assert.True(File.Exists(Path.Combine(directory, "oci-layout")));

        using var b = new BuildHarness();
        WriteContext(b);
        var fromCache = await b.BuildAsync(b.Options(Dockerfile) with { CacheFrom = [new LocalCacheLocation(directory)] });
        Assert.Equal(5, b.Events.OfType<StepCacheHit>().Count());
        Assert.Equal(built.Manifest.Digest, fromCache.Manifest.Digest);
        // Lazily: the tools stage's layer is only a parent of hits and no part of the image, so it never came in.
        var fetched = b.Events.OfType<CacheProgress>().Count(p => p.Text.StartsWith("fetching cache layer", StringComparison.Ordinal));
        Assert.Equal(4, fetched);
        Assert.Empty(b.Events.OfType<CacheWarning>());
    }

    [Fact]
    public async Task Mode_min_carries_the_images_layers_and_every_key_and_a_changed_file_misses_from_its_step_on()
    {
        using var cacheDir = new TempDir("cache-dir");
        var directory = cacheDir.Combine("cache");
        using var a = new BuildHarness();
        WriteContext(a);
        await a.BuildAsync(a.Options(Dockerfile) with { CacheTo = [new CacheExportTarget(new LocalCacheLocation(directory))] });
        Assert.Contains(a.Events.OfType<CacheProgress>(), p => p.Text == $"exporting cache to {directory}: 4 layers, 4 new");
        var (config, carried) = ReadLayout(directory);
        Assert.Equal(5, config.Steps.Count);
        // The tools stage's COPY is a key (with its diff ID) whose layer the cache does not hold.
        var keyOnly = Assert.Single(config.Steps, s => !carried.Contains(s.Layer!.Digest));
        Assert.False(File.Exists(Path.Combine(directory, "blobs", "sha256", keyOnly.Layer!.Digest.Encoded)));

        using var b = new BuildHarness();
        WriteContext(b, conf: "changed");
        await b.BuildAsync(b.Options(Dockerfile) with { CacheFrom = [new LocalCacheLocation(directory)] });
        // The tools stage hits by key; COPY app and WORKDIR hit; COPY --from hits (the tools layer is the same); COPY
        // conf changed, so it runs. Nothing read the tools layer.
        Assert.Equal([2], b.Events.OfType<StepCacheHit>().Where(h => h.Stage == 0).Select(h => h.Step).ToArray());
        Assert.Equal([2, 3, 4], b.Events.OfType<StepCacheHit>().Where(h => h.Stage == 1).Select(h => h.Step).ToArray());
        Assert.DoesNotContain(b.Events.OfType<CacheProgress>(), p => p.Text.Contains("only a key", StringComparison.Ordinal));
        Assert.Empty(b.Events.OfType<CacheWarning>());
    }

    /// <summary>A build stage of two steps, the second reading etc/conf; the image holds neither's layer.</summary>
    private const string KeyOnlyDockerfile = """
        FROM scratch AS tools
        COPY tools /tools
        COPY etc /etc
        FROM scratch
        COPY app /app
        COPY --from=tools /tools/t /bin/t
        """;

    [Fact]
    public async Task A_step_that_needs_a_key_only_layer_builds_its_stage_again_and_the_rest_of_the_cache_still_serves()
    {
        using var cacheDir = new TempDir("cache-dir");
        var directory = cacheDir.Combine("cache");
        using var a = new BuildHarness();
        WriteContext(a);
        await a.BuildAsync(a.Options(KeyOnlyDockerfile) with { CacheTo = [new CacheExportTarget(new LocalCacheLocation(directory))] });

        using var b = new BuildHarness();
        WriteContext(b, conf: "changed");
        var built = await b.BuildAsync(b.Options(KeyOnlyDockerfile) with { CacheFrom = [new LocalCacheLocation(directory)] });
        // COPY etc misses on top of the tools layer, which is only a key: the build goes again without key-only steps.
        Assert.Single(b.Events.OfType<CacheProgress>(), p => p.Text.Contains("only a key", StringComparison.Ordinal)
            && p.Text.EndsWith("building again without the cache's key-only steps", StringComparison.Ordinal));
        Assert.Empty(b.Events.OfType<CacheWarning>());
        // COPY app still hits after that (its layer is carried).
        var again = b.Events.FindIndex(e => e is CacheProgress p && p.Text.Contains("only a key", StringComparison.Ordinal));
        Assert.Contains(b.Events.Skip(again), e => e is StepCacheHit { Stage: 1, Step: 2 });
        Assert.DoesNotContain(b.Events.Skip(again), e => e is StepCacheHit { Stage: 0 });

        using var c = new BuildHarness();
        WriteContext(c, conf: "changed");
        Assert.Equal((await c.BuildAsync(KeyOnlyDockerfile)).Manifest.Digest, built.Manifest.Digest);
    }

    [Fact]
    public async Task A_later_cache_that_carries_a_layer_wins_over_an_earlier_one_that_has_only_its_key()
    {
        using var cacheDir = new TempDir("cache-dir");
        var min = cacheDir.Combine("min");
        var max = cacheDir.Combine("max");
        using var a = new BuildHarness();
        WriteContext(a);
        await a.BuildAsync(a.Options(KeyOnlyDockerfile) with
        {
            CacheTo = [new CacheExportTarget(new LocalCacheLocation(min)), new CacheExportTarget(new LocalCacheLocation(max), CacheMode.Max)],
        });

        using var b = new BuildHarness();
        WriteContext(b, conf: "changed");
        await b.BuildAsync(b.Options(KeyOnlyDockerfile) with { CacheFrom = [new LocalCacheLocation(min), new LocalCacheLocation(max)] });
        // COPY tools hits with the layer of the second cache, which COPY etc (changed) runs on: no second attempt.
        Assert.Contains(b.Events, e => e is StepCacheHit { Stage: 0, Step: 2 });
        Assert.DoesNotContain(b.Events.OfType<CacheProgress>(), p => p.Text.Contains("only a key", StringComparison.Ordinal));
        Assert.Contains(b.Events.OfType<CacheProgress>(), p => p.Text.StartsWith("fetching cache layer", StringComparison.Ordinal) && p.Text.EndsWith(max, StringComparison.Ordinal));
    }

    /// <summary>The key map of a local cache and the blobs its manifest carries.</summary>
    private static (CacheConfig Config, HashSet<Tabula.Oci.Digest> Carried) ReadLayout(string directory)
    {
        var index = Tabula.Oci.OciJson.DeserializeIndex(File.ReadAllBytes(Path.Combine(directory, "index.json")));
        byte[] Blob(Tabula.Oci.Digest digest) => File.ReadAllBytes(Path.Combine(directory, "blobs", digest.Algorithm, digest.Encoded));
        var manifest = Tabula.Oci.OciJson.DeserializeManifest(Blob(Assert.Single(index.Manifests).Digest));
        return (CacheConfig.Parse(Blob(manifest.Config.Digest)), manifest.Layers.Select(l => l.Digest).ToHashSet());
    }

    [Fact]
    public async Task Reexporting_a_local_cache_replaces_the_tag_and_removes_the_blobs_only_the_old_one_used()
    {
        using var cacheDir = new TempDir("cache-dir");
        var directory = cacheDir.Combine("cache");
        using var a = new BuildHarness();
        WriteContext(a);
        var target = new CacheExportTarget(new LocalCacheLocation(directory), CacheMode.Max);
        await a.BuildAsync(a.Options(Dockerfile) with { CacheTo = [target] });
        var first = Directory.GetFiles(Path.Combine(directory, "blobs", "sha256")).Length;
        File.Delete(a.Files.Combine("etc", "linked"));
        File.WriteAllText(a.Files.Combine("etc", "conf"), "changed");
        await a.BuildAsync(a.Options(Dockerfile) with { CacheTo = [target] });
        // 5 layers + config + manifest, before and after: the old conf layer, config and manifest went.
        Assert.Equal(7, first);
        Assert.Equal(7, Directory.GetFiles(Path.Combine(directory, "blobs", "sha256")).Length);
        Assert.Single(Tabula.Oci.OciJson.DeserializeIndex(File.ReadAllBytes(Path.Combine(directory, "index.json"))).Manifests);
    }

    [Fact]
    public async Task A_missing_cache_or_a_failed_export_warns_and_the_build_succeeds_unless_ignore_error_is_false()
    {
        using var cacheDir = new TempDir("cache-dir");
        var notADirectory = cacheDir.Combine("file");
        File.WriteAllText(notADirectory, "x");
        using var h = new BuildHarness();
        WriteContext(h);
        var options = h.Options(Dockerfile) with
        {
            CacheFrom = [new LocalCacheLocation(cacheDir.Combine("absent"))],
            CacheTo = [new CacheExportTarget(new LocalCacheLocation(notADirectory))],
        };
        await h.BuildAsync(options);
        var warnings = h.Events.OfType<CacheWarning>().Select(w => w.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.StartsWith($"importing cache from {cacheDir.Combine("absent")} failed", warnings[0]);
        Assert.StartsWith($"exporting cache to {notADirectory} failed", warnings[1]);

        var fatal = options with { CacheTo = [new CacheExportTarget(new LocalCacheLocation(notADirectory), IgnoreError: false)] };
        var e = await Assert.ThrowsAsync<CacheExportException>(() => h.BuildAsync(fatal));
        Assert.Contains("ignore-error=false", e.Message);
    }

    /// <summary>
    /// Without SOURCE_DATE_EPOCH the key map carries when each step's result was made, so an empty store that the
    /// import answers whole builds the exporter's very image; the times are in no key.
    /// </summary>
    [Fact]
    public async Task Without_an_epoch_an_import_gives_the_exporters_times_and_image()
    {
        using var cacheDir = new TempDir("cache-dir");
        var directory = cacheDir.Combine("cache");
        using var a = new BuildHarness();
        WriteContext(a);
        var built = await a.BuildAsync(a.Options(Dockerfile) with { Timestamp = null, CacheTo = [new CacheExportTarget(new LocalCacheLocation(directory), CacheMode.Max)] });

        // An empty store, the same context folder: without an epoch a file's mtime is in COPY's key.
        using var b = new BuildHarness();
        var fromCache = await b.BuildAsync(b.Options(Dockerfile) with { ContextDirectory = a.ContextDirectory, Timestamp = null, CacheFrom = [new LocalCacheLocation(directory)] });
        Assert.Equal(5, b.Events.OfType<StepCacheHit>().Count());
        Assert.Equal(built.Manifest, fromCache.Manifest);
    }
}
