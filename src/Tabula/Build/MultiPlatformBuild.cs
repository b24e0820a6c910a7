using Tabula.Transports;

namespace Tabula.Build;

/// <summary>
/// <c>--platform a,b,…</c>: the Dockerfile is built once per platform, one platform after another (each build's own
/// stages still run side by side), and the images are stored under one index. Sequential on purpose: a stage that is
/// the same for every platform (<c>FROM --platform=$BUILDPLATFORM</c> with the same inputs) is built by the first
/// platform and taken from the step cache by the others, which concurrent builds would each build again.
/// </summary>
internal static class MultiPlatformBuild
{
    /// <summary>BuildKit's <c>BUILDKIT_MULTI_PLATFORM</c> build arg: a true value makes even one platform an index.</summary>
    public const string ForceArg = "BUILDKIT_MULTI_PLATFORM";

    /// <summary>Whether the build args ask for an index whatever the number of platforms (Go's <c>strconv.ParseBool</c> true values).</summary>
    public static bool Forced(IReadOnlyDictionary<string, string> buildArgs)
        => buildArgs.TryGetValue(ForceArg, out var value) && value is "1" or "t" or "T" or "true" or "TRUE" or "True";

    public static async Task<BuildResult> BuildAsync(ImageStore store, BuildOptions options, IProgress<BuildEvent>? progress, CancellationToken cancellationToken)
    {
        // The platforms built first are named by nothing until the index is: the lease keeps prune off their blobs.
        using var lease = await store.Content.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false);
        var warningsSeen = new HashSet<BuildEvent>();
        var images = new List<PlatformImage>();
        var warnings = new List<Dockerfile.Checks.CheckWarning>();
        for (int i = 0; i < options.Platforms.Count; i++)
        {
            var platform = options.Platforms[i];
            var events = progress is null ? null : new PlatformEvents(progress, platform, i, warningsSeen);
            var built = await new Builder(store, events)
                .BuildAsync(options with { Platform = platform, Platforms = [], NameInStore = false, PlatformOfIndex = true }, cancellationToken).ConfigureAwait(false);
            images.Add(new PlatformImage(platform, built.Manifest, built.ImageId));
            warnings.AddRange(built.Warnings.Except(warnings));
        }
        var index = await MultiPlatformResult.StoreAsync(store, images, options.Tags, options.NameInStore, cancellationToken).ConfigureAwait(false);
        return new BuildResult(index, index.Digest, options.Tags) { Warnings = warnings, Platforms = images };
    }
}
