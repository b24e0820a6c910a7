using Tabula.Transports;

namespace Tabula.Build;

/// <summary>
/// <c>--platform a,b,…</c>: the Dockerfile is built once per platform, the platforms side by side (as many at once as
/// the machine has cores, each build's own stages side by side too), and the images are stored under one index. Work
/// that is the same for every platform (a <c>FROM --platform=$BUILDPLATFORM</c> stage with the same inputs, a base
/// image they share) is done once: the builds share their <see cref="StepClaims"/>, so the first platform to reach such
/// a step does it and the others wait and take it from the step cache. They share one shared cache too: imported
/// once, and exported once when every platform is stored, so one <c>--cache-to</c> holds every platform's steps.
/// </summary>
internal static class MultiPlatformBuild
{
    /// <summary>BuildKit's <c>BUILDKIT_MULTI_PLATFORM</c> build arg: a true value makes even one platform an index.</summary>
    public const string ForceArg = "BUILDKIT_MULTI_PLATFORM";

    /// <summary>Whether the build args ask for an index whatever the number of platforms (Go's <c>strconv.ParseBool</c> true values).</summary>
    public static bool Forced(IReadOnlyDictionary<string, string> buildArgs)
        => buildArgs.TryGetValue(ForceArg, out var value) && value is "1" or "t" or "T" or "true" or "TRUE" or "True";

    /// <param name="maxParallel">How many platforms are built at once (default: as many as the machine has cores); 1 builds them in turn.</param>
    public static async Task<BuildResult> BuildAsync(ImageStore store, BuildOptions options, IProgress<BuildEvent>? progress, CancellationToken cancellationToken,
        int? maxParallel = null)
    {
        // The platforms built first are named by nothing until the index is: the lease keeps prune off their blobs.
        using var lease = await store.Content.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false);
        var warningsSeen = new HashSet<BuildEvent>();
        var claims = new StepClaims();
        using var shared = await SharedCache.SharedBuildCache.ForBuildAsync(store.Content, options, progress, cancellationToken).ConfigureAwait(false);
        var platforms = Enumerable.Range(0, options.Platforms.Count).ToList();
        var built = await DependencyScheduler.RunAsync<int, BuildResult>(
            platforms.Select(i => (i, Enumerable.Empty<int>())),
            (i, _, token) =>
            {
                var platform = options.Platforms[i];
                var events = progress is null ? null : new PlatformEvents(progress, platform, i, warningsSeen);
                return new Builder(store, events, claims, shared).BuildAsync(options with { Platform = platform, Platforms = [], NameInStore = false, PlatformOfIndex = true }, token);
            },
            maxParallel ?? Math.Min(platforms.Count, Environment.ProcessorCount), cancellationToken).ConfigureAwait(false);

        // In the order asked for, whichever finished first: the index's bytes do not depend on timing.
        var images = platforms.Select(i => new PlatformImage(options.Platforms[i], built[i].Manifest, built[i].ImageId) { Attestation = built[i].Attestation }).ToList();
        var warnings = platforms.SelectMany(i => built[i].Warnings).Distinct().ToList();
        var index = await MultiPlatformResult.StoreAsync(store, images, options.Tags, options.NameInStore, cancellationToken).ConfigureAwait(false);
        if (shared is not null && options.CacheTo.Count > 0)
            await SharedCache.CacheExporter.ExportAllAsync(store.Content, shared, options, progress, cancellationToken).ConfigureAwait(false);
        return new BuildResult(index, index.Digest, options.Tags) { Warnings = warnings, Platforms = images };
    }
}
