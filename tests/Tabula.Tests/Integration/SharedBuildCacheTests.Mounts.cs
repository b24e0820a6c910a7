using System.Text.Json;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// <c>--cache-to …,mounts=ID</c>: a <c>RUN --mount=type=cache</c> directory travels with the cache, through the real
/// registry and through a local directory, and a RUN on another machine (an empty store, with its own cache mounts)
/// finds what the first machine's RUN left in it; a cache mount not named stays home.
/// </summary>
public sealed partial class SharedBuildCacheTests
{
    private const string MountFlags = "--mount=type=cache,id=dl,target=/var/cache/dl --mount=type=cache,id=other,target=/other";

    /// <summary>The first machine's RUN fills both caches (a "download": files, a directory, a symlink, a mode and an mtime of its own).</summary>
    private const string FillDockerfile = $"""
        FROM BASE
        RUN {MountFlags} echo FILL && echo pkg-one > /var/cache/dl/one && mkdir -p /var/cache/dl/sub && echo pkg-two > /var/cache/dl/sub/two && ln -s one /var/cache/dl/link && chmod 640 /var/cache/dl/one && touch -d '2020-01-02 03:04:05' /var/cache/dl/one && echo o > /other/o
        """;

    /// <summary>Another RUN (so no step cache can answer it) that shows what the caches hold.</summary>
    private const string ReadDockerfile = $"""
        FROM BASE
        RUN {MountFlags} echo READ && cat /var/cache/dl/one /var/cache/dl/sub/two /var/cache/dl/link && stat -c 'mode=%a mtime=%Y' /var/cache/dl/one && echo other-holds-$(ls /other | wc -l)
        """;

    private static void AssertRestoredDl(string output)
    {
        Assert.Contains("| READ", output);
        Assert.Contains("| pkg-one", output);
        Assert.Contains("| pkg-two", output);
        Assert.Contains("| mode=640 mtime=1577934245", output);
    }

    [Fact]
    public async Task A_cache_mount_named_in_mounts_travels_through_the_registry_and_one_not_named_stays_home()
    {
        var skopeo = Requirements.Tool("skopeo");
        await using var m = await Machines.CreateAsync();
        var cacheRef = $"{m.Registry.Host}/cache/mounts:1";
        var (_, outA) = await m.BuildAsync(null, m.Context("ctx-a", FillDockerfile), "--cache-to", $"type=registry,ref={cacheRef},mounts=dl");
        Assert.Contains("| FILL", outA);
        Assert.Contains($"exporting cache to {cacheRef}: 1 layers, 1 new; cache mounts dl, 1 new", outA);
        Assert.Contains($"Exporting cache to {cacheRef}", outA);
        Assert.Contains(": Pushed", outA);

        // The artifact names the mount's layer by id (skopeo reads it as any manifest); the other cache is not in it.
        var raw = await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--raw", "--tls-verify=false", $"docker://{cacheRef}"], Ct);
        using var manifest = JsonDocument.Parse(raw.StandardOutput);
        var ids = manifest.RootElement.GetProperty("layers").EnumerateArray()
            .Select(l => l.TryGetProperty("annotations", out var a) && a.TryGetProperty("vnd.tabula.buildcache.mount.id", out var id) ? id.GetString() : null)
            .OfType<string>().ToList();
        Assert.Equal(["dl"], ids);

        var storeB = m.NewStore("store-b");
        var contextB = m.Context("ctx-b", ReadDockerfile);
        var (_, outB) = await m.BuildAsync(storeB, contextB, "--cache-from", $"type=registry,ref={cacheRef}");
        Assert.Contains($"imported cache from {cacheRef}: 1 steps, cache mounts dl", outB);
        Assert.Contains($"restoring cache mount dl from {cacheRef}", outB);
        Assert.Contains($"Importing cache from {cacheRef}", outB);
        Assert.Contains(": Pull complete", outB);
        AssertRestoredDl(outB);
        Assert.Contains("| other-holds-0", outB);
        Assert.DoesNotContain("warning:", outB);

        // The second machine exports the cache it only read: the same tar, so the registry already has it.
        var (_, again) = await m.BuildAsync(storeB, contextB, "--cache-to", $"type=registry,ref={cacheRef},mounts=dl,other");
        Assert.Contains($"exporting cache to {cacheRef}: 1 layers, 0 new; cache mounts dl, 0 new", again);
        Assert.Contains("cache mount other is empty: not exported", again);
    }

    [Fact]
    public async Task Cache_mounts_travel_through_a_local_directory_as_plain_tars_and_never_replace_a_full_cache()
    {
        await using var m = await Machines.CreateAsync();
        var directory = m.Fixture.Temp.Combine("ci-cache");
        var (_, outA) = await m.BuildAsync(null, m.Context("ctx-a", FillDockerfile), "--cache-to", $"type=local,dest={directory},mounts=*");
        Assert.Contains($"exporting cache to {directory}: 1 layers, 1 new; cache mounts dl, other, 2 new", outA);

        // The dl cache's blob, read by GNU tar: sorted names, numeric root owners (the RUN ran as root), the file's own mtime.
        var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "index.json")));
        var manifestDigest = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        var manifest = JsonDocument.Parse(File.ReadAllBytes(BlobPath(directory, manifestDigest)));
        var dl = manifest.RootElement.GetProperty("layers").EnumerateArray()
            .Single(l => l.TryGetProperty("annotations", out var a) && a.GetProperty("vnd.tabula.buildcache.mount.id").GetString() == "dl");
        Assert.Equal("application/vnd.oci.image.layer.v1.tar+gzip", dl.GetProperty("mediaType").GetString());
        var blob = BlobPath(directory, dl.GetProperty("digest").GetString()!);
        var names = await ProcessRunner.RunCheckedAsync("tar", ["-tzf", blob], Ct);
        Assert.Equal("link\none\nsub/\nsub/two\n", names.StandardOutput);
        var listing = await ProcessRunner.RunCheckedAsync("tar", ["--numeric-owner", "--full-time", "-tvzf", blob], Ct, new ProcessOptions { Environment = new Dictionary<string, string?> { ["TZ"] = "UTC" } });
        Assert.Contains("-rw-r----- 0/0", listing.StandardOutput);
        Assert.Contains("2020-01-02 03:04:05 one", listing.StandardOutput);
        Assert.Contains("link -> one", listing.StandardOutput);

        var storeB = m.NewStore("store-b");
        var (_, outB) = await m.BuildAsync(storeB, m.Context("ctx-b", ReadDockerfile), "--cache-from", $"type=local,src={directory}");
        AssertRestoredDl(outB);
        Assert.Contains("| other-holds-1", outB);

        // A cache that holds something already is left as it is: nothing is restored over it.
        var storeC = m.NewStore("store-c");
        Directory.CreateDirectory(Path.Combine(storeC, "cache", "mounts", "dl"));
        File.WriteAllText(Path.Combine(storeC, "cache", "mounts", "dl", "one"), "mine\n");
        var (code, outC, errC) = await m.TabulaAsync(storeC, "build", "--progress=plain", "--cache-from", $"type=local,src={directory}", m.Context("ctx-c", ReadDockerfile));
        Assert.NotEqual(0, code); // the RUN's cat finds no sub/two: the cache was not touched
        Assert.Contains("| mine", outC + errC);
        Assert.DoesNotContain("restoring cache mount dl", outC + errC);
    }

    private static string BlobPath(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
}
