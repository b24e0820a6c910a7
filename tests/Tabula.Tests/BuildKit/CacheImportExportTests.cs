using Tabula.Build.SharedCache;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Transports;
using Machines = Tabula.Tests.Integration.SharedBuildCacheTests.Machines;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's <c>frontend/dockerfile/dockerfile_cache_test.go</c>, the tests of cache import and export, against
/// <c>--cache-to</c>/<c>--cache-from</c> and the real registry. BuildKit's <c>ensurePruneAll</c> is a new empty store
/// here (another machine: the base image comes from the registry too). BuildKit's cache blobs are its own format, so
/// the tests assert what they stand for: what the second build hits and executes, the files it gives, which blobs the
/// cache carries. Through runc as root.
/// </summary>
public sealed class CacheImportExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The stage whose cached RUN writes random bytes: a second build gives the same bytes only if every step hit.</summary>
    private const string UniqueDockerfile = """
        FROM BASE AS base
        COPY foo const
        RUN cat /dev/urandom | head -c 100 | sha256sum > unique
        FROM scratch
        COPY --from=base const /
        COPY --from=base unique /
        """;

    /// <summary>
    /// A cache exported to a directory, imported from it and exported to it again in one build (BuildKit once looped
    /// over its own records there): it succeeds, every step hits, and the directory still serves a third machine.
    /// </summary>
    [Fact]
    public async Task TestExportCacheLoop()
    {
        await using var m = await Machines.CreateAsync();
        var context = m.Context("ctx", """
            FROM BASE as base
            RUN echo aa > /foo
            WORKDIR /bar

            FROM base as base1
            COPY hello.txt .

            FROM base as base2
            COPY --from=base1 /bar/hello.txt .
            RUN true

            FROM scratch
            COPY --from=base2 /foo /f
            """, ("hello.txt", "hello"));
        var cache = m.Fixture.Temp.Combine("cache");
        await m.BuildAsync(null, context, "--cache-to", $"type=local,dest={cache}");

        var (hits, output) = await m.BuildAsync(m.NewStore("second"), context, "--cache-to", $"type=local,dest={cache}", "--cache-from", $"type=local,src={cache}");
        Assert.True(hits == 6, output);
        Assert.DoesNotContain("warning:", output);

        var (again, third) = await m.BuildAsync(m.NewStore("third"), context, "--cache-from", $"type=local,src={cache}");
        Assert.True(again == 6, third);
        Assert.DoesNotContain("warning:", third);
    }

    /// <summary>
    /// The default <c>mode=min</c> to a registry, the files to a local output; an empty store building with
    /// <c>--cache-from</c> gives the same random bytes: it hit every step of the build stage (the cache holds their
    /// keys, though not their layers) and so every step of the final stage, running nothing.
    /// </summary>
    [Fact]
    public async Task TestCacheImportExport()
    {
        await using var m = await Machines.CreateAsync();
        var target = $"{m.Registry.Host}/buildkit/testexportdf:latest";
        await ImportExportAsync(m, target, []);
    }

    /// <summary>
    /// As <see cref="TestCacheImportExport"/>, with <c>oci-mediatypes=true</c>: the cache is an OCI image manifest whose
    /// config is the cache's own media type (BuildKit's <c>image-manifest</c> form; tabula's cache always has it).
    /// </summary>
    [Fact]
    public async Task TestImageManifestCacheImportExport()
    {
        await using var m = await Machines.CreateAsync();
        var target = $"{m.Registry.Host}/buildkit/testexportdf:latest";
        await ImportExportAsync(m, target, [",oci-mediatypes=true"]);

        using var client = new RegistryClient(m.Registry.Host);
        var manifest = await client.GetManifestAsync("buildkit/testexportdf", "latest", Ct);
        Assert.Equal(MediaTypes.OciManifest, manifest.MediaType);
        var parsed = OciJson.DeserializeManifest(manifest.Bytes);
        Assert.Equal(CacheConfig.MediaType, parsed.Config.MediaType);
        Assert.Equal(CacheConfig.ArtifactType, parsed.ArtifactType);
    }

    private static async Task ImportExportAsync(Machines m, string target, string[] cacheAttributes)
    {
        var context = m.Context("ctx", UniqueDockerfile, ("foo", "foobar"));
        var first = m.Fixture.Temp.Combine("out-1");
        var (_, exported) = await m.BuildAsync(null, context, "-o", $"type=local,dest={first}", "--cache-to", $"type=registry,ref={target}" + string.Concat(cacheAttributes));
        Assert.Equal("foobar", File.ReadAllText(Path.Combine(first, "const")));
        var unique = File.ReadAllText(Path.Combine(first, "unique"));
        // mode=min: the final image's two layers travel, the build stage's steps as keys only.
        Assert.True(exported.Contains($"exporting cache to {target}: 2 layers, 2 new", StringComparison.Ordinal), exported);

        var second = m.Fixture.Temp.Combine("out-2");
        var (hits, output) = await m.BuildAsync(m.NewStore("second"), context, "-o", $"type=local,dest={second}", "--cache-from", target);
        Assert.Equal("foobar", File.ReadAllText(Path.Combine(second, "const")));
        Assert.Equal(unique, File.ReadAllText(Path.Combine(second, "unique")));
        Assert.True(hits == 4, output);
        // The build stage's layers were only keys: nothing asked for their content.
        Assert.DoesNotContain("only a key", output);
        Assert.DoesNotContain("warning:", output);
    }

    /// <summary>
    /// Two platforms (a <c>$BUILDPLATFORM</c> stage keyed on <c>TARGETARCH</c>, so two RUNs with their own random
    /// bytes) pushed with one cache export: two empty stores building both platforms from it hit every step of both,
    /// push the same index (so the same images), and each platform keeps its own bytes. BuildKit exports the cache
    /// inline in the image; tabula has no inline cache, so it goes to a registry ref of its own. <c>--timestamp</c>
    /// keeps the image's times, which come from the build, out of the comparison (see testReproducibleIDs).
    /// </summary>
    [Fact]
    public async Task TestCacheMultiPlatformImportExport()
    {
        await using var m = await Machines.CreateAsync();
        var context = m.Context("ctx", """
            FROM --platform=$BUILDPLATFORM BASE AS base
            ARG TARGETARCH
            RUN echo -n $TARGETARCH> arch && cat /dev/urandom | head -c 100 | sha256sum > unique
            FROM scratch
            COPY --from=base unique /
            COPY --from=base arch /
            """);
        var image = $"{m.Registry.Host}/buildkit/testexportdf:multi-img";
        var cache = $"{m.Registry.Host}/buildkit/testexportdf:multi-cache";
        string[] flags = ["--platform", "linux/amd64,linux/arm/v7", "-t", image, "--push", "--cache-to", $"type=registry,ref={cache}"];

        var (_, exported) = await m.BuildAsync(null, context, flags);
        // One export for the build, holding both platforms: four layers of two images.
        Assert.Single(exported.Split('\n'), l => l.Contains($"exporting cache to {cache}:", StringComparison.Ordinal));
        Assert.True(exported.Contains($"exporting cache to {cache}: 4 layers", StringComparison.Ordinal), exported);
        var index = await ManifestDigestAsync(m, image);
        var amd64 = await FilesAsync(m.Fixture.Store, image, "linux/amd64");
        var arm = await FilesAsync(m.Fixture.Store, image, "linux/arm/v7");
        Assert.Equal("amd64", amd64.Arch);
        Assert.Equal("arm", arm.Arch);
        Assert.NotEqual(amd64.Unique, arm.Unique);

        foreach (var round in new[] { "second", "third" })
        {
            var store = m.NewStore(round);
            var (hits, output) = await m.BuildAsync(store, context, [.. flags, "--cache-from", cache]);
            Assert.True(hits == 6, output);
            Assert.DoesNotContain("warning:", output);
            Assert.Equal(index, await ManifestDigestAsync(m, image));
            var amd64Again = await FilesAsync(store, image, "linux/amd64");
            var armAgain = await FilesAsync(store, image, "linux/arm/v7");
            Assert.Equal(amd64, amd64Again);
            Assert.Equal(arm, armAgain);
        }
    }

    private static async Task<Digest> ManifestDigestAsync(Machines m, string image)
    {
        var reference = ImageReference.Parse(image);
        using var client = new RegistryClient(m.Registry.Host);
        return (await client.GetManifestAsync(reference.Repository, reference.Tag!, Ct)).Digest;
    }

    /// <summary>The <c>arch</c> and <c>unique</c> files of one platform's image in a store.</summary>
    private static async Task<(string? Arch, string? Unique)> FilesAsync(string storeRoot, string image, string platform)
    {
        var store = ImageStore.Open(storeRoot);
        var loaded = await store.LoadAsync(await store.Resolver.ResolveAsync(image, Ct), Platform.Parse(platform), Ct);
        return (await BuildKitHarness.FileTextAsync(loaded, "arch"), await BuildKitHarness.FileTextAsync(loaded, "unique"));
    }
}
