using System.Text.RegularExpressions;
using Tabula.Cli;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// <c>--cache-to</c>/<c>--cache-from type=registry</c> against the real registry, with two stores as two machines and
/// two context folders of the same content: the second machine hits every step and runs no command, and gets the first
/// one's image; a changed file misses from its step on; <c>mode=min</c> against <c>max</c>; a registry without the
/// cache, or one that fails mid-import, only warns.
/// </summary>
public sealed partial class SharedBuildCacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex(" ---> Using cache")]
    private static partial Regex CacheHit();

    private const string Timestamp = "1700000000";

    /// <summary>A registry holding the base image, the first machine (the fixture's store) and a context for a Dockerfile.</summary>
    internal sealed class Machines(RunFixture fixture, RegistryServer registry, string baseImage) : IAsyncDisposable
    {
        public RunFixture Fixture => fixture;
        public RegistryServer Registry => registry;
        public string BaseImage => baseImage;

        public static async Task<Machines> CreateAsync()
        {
            var fixture = await RunFixture.CreateAsync(Ct);
            var registry = await RegistryServer.StartAsync(Ct);
            var baseImage = $"{registry.Host}/base:1";
            var (code, _, error) = await fixture.TabulaAsync(Ct, "push", RunFixture.BaseImage, baseImage);
            Assert.True(code == 0, error);
            return new Machines(fixture, registry, baseImage);
        }

        /// <summary>A context folder of its own (another path per machine), holding the Dockerfile and files.</summary>
        public string Context(string name, string dockerfile, params (string Path, string Content)[] files)
            => fixture.Context(name, dockerfile.Replace("BASE", baseImage, StringComparison.Ordinal), files);

        /// <summary>A new empty store: another machine.</summary>
        public string NewStore(string name) => fixture.Temp.CreateDirectory(name);

        public async Task<(int Hits, string Out)> BuildAsync(string? store, string context, params string[] flags)
        {
            var (code, output, error) = await TabulaAsync(store, ["build", "--progress=plain", "--timestamp", Timestamp, .. flags, context]);
            Assert.True(code == 0, error + output);
            return (CacheHit().Count(output), output);
        }

        public async Task<(int Code, string Out, string Err)> TabulaAsync(string? store, params string[] args)
        {
            if (store is null) return await fixture.TabulaAsync(Ct, args);
            var output = new StringWriter();
            var error = new StringWriter();
            int code = await CliApp.RunAsync(["--root", store, .. args], output, error, name => name == "PATH" ? Environment.GetEnvironmentVariable("PATH") : null, Ct);
            return (code, output.ToString(), error.ToString());
        }

        public async Task<string> IdAsync(string? store, string tag) => (await TabulaAsync(store, "images", "-q", "--no-trunc", tag)).Out.Trim();

        public async ValueTask DisposeAsync()
        {
            await registry.DisposeAsync();
            fixture.Dispose();
        }
    }

    private const string Dockerfile = """
        FROM BASE
        COPY a /a
        RUN echo RUN-ONE && cat /a > /b
        WORKDIR /w
        COPY c /w/c
        RUN echo RUN-TWO && cat /w/c /b > /w/d
        """;

    [Fact]
    public async Task An_empty_store_hits_every_step_from_the_registry_runs_no_command_and_gets_the_same_image()
    {
        await using var m = await Machines.CreateAsync();
        var cacheRef = $"{m.Registry.Host}/cache/app:buildcache";
        var contextA = m.Context("ctx-a", Dockerfile, ("a", "one\n"), ("c", "c\n"));
        var (hitsA, outA) = await m.BuildAsync(null, contextA, "-t", "app:a", "--cache-to", $"type=registry,ref={cacheRef}");
        Assert.Equal(0, hitsA);
        Assert.Contains($"exporting cache to {cacheRef}: 5 layers, 5 new", outA);

        var storeB = m.NewStore("store-b");
        var contextB = m.Context("ctx-b", Dockerfile, ("a", "one\n"), ("c", "c\n"));
        var (hitsB, outB) = await m.BuildAsync(storeB, contextB, "-t", "app:b", "--cache-from", $"type=registry,ref={cacheRef}");
        Assert.True(hitsB == 5, outB);
        Assert.Contains($"importing cache manifest from {cacheRef}", outB);
        Assert.DoesNotContain("| RUN-ONE", outB);
        Assert.DoesNotContain("| RUN-TWO", outB);
        Assert.DoesNotContain("warning:", outB);
        Assert.Equal(await m.IdAsync(null, "app:a"), await m.IdAsync(storeB, "app:b"));
        // The image is whole in the second store: it runs.
        var (code, cat, error) = await m.TabulaAsync(storeB, "run", "--rm", "app:b", "cat", "/w/d");
        Assert.True(code == 0, error);
        Assert.Equal("c\none\n", cat);

        // Exporting again what is all there moves no layer.
        var (_, again) = await m.BuildAsync(storeB, contextB, "-t", "app:b", "--cache-from", cacheRef, "--cache-to", $"type=registry,ref={cacheRef}");
        Assert.Contains($"exporting cache to {cacheRef}: 5 layers, 0 new", again);
    }

    [Fact]
    public async Task A_changed_file_misses_from_its_step_on_and_only_from_there()
    {
        await using var m = await Machines.CreateAsync();
        var cacheRef = $"{m.Registry.Host}/cache/app:1";
        var contextA = m.Context("ctx-a", Dockerfile, ("a", "one\n"), ("c", "c\n"));
        await m.BuildAsync(null, contextA, "-t", "app:a", "--cache-to", $"type=registry,ref={cacheRef}");

        var storeB = m.NewStore("store-b");
        var contextB = m.Context("ctx-b", Dockerfile, ("a", "one\n"), ("c", "changed\n"));
        var (hits, output) = await m.BuildAsync(storeB, contextB, "-t", "app:b", "--cache-from", cacheRef);
        Assert.True(hits == 3, output);
        Assert.DoesNotContain("| RUN-ONE", output);
        Assert.Contains("| RUN-TWO", output);
        var (code, cat, error) = await m.TabulaAsync(storeB, "run", "--rm", "app:b", "cat", "/w/d");
        Assert.True(code == 0, error);
        Assert.Equal("changed\none\n", cat);
    }

    [Fact]
    public async Task Mode_min_exports_the_final_stages_layers_and_every_key_and_mode_max_every_layer()
    {
        await using var m = await Machines.CreateAsync();
        const string dockerfile = """
            FROM BASE AS build
            RUN echo RUN-BUILD && echo built > /artifact && echo more > /other
            FROM BASE
            COPY --from=build /artifact /artifact
            RUN echo RUN-FINAL && cat /artifact > /copy
            """;
        var min = $"{m.Registry.Host}/cache/ms:min";
        var max = $"{m.Registry.Host}/cache/ms:max";
        var contextA = m.Context("ctx-a", dockerfile);
        var (_, outA) = await m.BuildAsync(null, contextA, "-t", "ms:a", "--cache-to", $"type=registry,ref={min}", "--cache-to", $"type=registry,ref={max},mode=max");
        Assert.True(outA.Contains($"exporting cache to {min}: 2 layers", StringComparison.Ordinal), outA);
        Assert.True(outA.Contains($"exporting cache to {max}: 3 layers", StringComparison.Ordinal), outA);

        var contextB = m.Context("ctx-b", dockerfile);
        var storeMin = m.NewStore("store-min");
        var (hitsMin, outMin) = await m.BuildAsync(storeMin, contextB, "-t", "ms:b", "--cache-from", $"type=registry,ref={min}");
        // The build stage's RUN hits by its key alone (its layer is not in the cache, and nothing needs it), so the
        // final stage hits too.
        Assert.DoesNotContain("| RUN-", outMin);
        Assert.True(hitsMin == 3, outMin);

        var storeMax = m.NewStore("store-max");
        var (hitsMax, outMax) = await m.BuildAsync(storeMax, contextB, "-t", "ms:b", "--cache-from", $"type=registry,ref={max}");
        Assert.DoesNotContain("| RUN-", outMax);
        Assert.True(hitsMax == 3, outMax);
        Assert.Equal(await m.IdAsync(null, "ms:a"), await m.IdAsync(storeMax, "ms:b"));
        Assert.Equal(await m.IdAsync(null, "ms:a"), await m.IdAsync(storeMin, "ms:b"));
    }

    [Fact]
    public async Task A_registry_without_the_cache_only_warns()
    {
        await using var m = await Machines.CreateAsync();
        var context = m.Context("ctx", Dockerfile, ("a", "one\n"), ("c", "c\n"));
        var (hits, output) = await m.BuildAsync(m.NewStore("store-b"), context, "-t", "app:b", "--cache-from", $"type=registry,ref={m.Registry.Host}/cache/none:1");
        Assert.Equal(0, hits);
        Assert.Contains($"warning: importing cache from {m.Registry.Host}/cache/none:1 failed, building without it:", output);
        Assert.Contains("| RUN-TWO", output);
    }

    [Fact]
    public async Task A_registry_that_fails_after_the_cache_manifest_only_warns_and_the_build_gives_the_same_image()
    {
        await using var m = await Machines.CreateAsync();
        var context = m.Context("ctx-a", Dockerfile, ("a", "one\n"), ("c", "c\n"));
        await m.BuildAsync(null, context, "-t", "app:a", "--cache-to", $"type=registry,ref={m.Registry.Host}/cache/app:1");

        await using var proxy = new FaultProxy(m.Registry.Port);
        int blobGets = 0;
        // The manifest and the key map (the first blob) come through; every layer after them fails.
        proxy.Policy = (method, path) => method == "GET" && path.Contains("/blobs/sha256:", StringComparison.Ordinal) && Interlocked.Increment(ref blobGets) > 1
            ? Fault.ResetBeforeHead : Fault.None;
        var storeB = m.NewStore("store-b");
        var (_, output) = await m.BuildAsync(storeB, m.Context("ctx-b", Dockerfile, ("a", "one\n"), ("c", "c\n")), "-t", "app:b", "--cache-from", $"{proxy.Host}/cache/app:1");
        Assert.Contains("warning: fetching cache layer", output);
        Assert.Contains("building again without the imported cache", output);
        Assert.Equal(await m.IdAsync(null, "app:a"), await m.IdAsync(storeB, "app:b"));
    }
}
