using Tabula.Dockerfile;
using Tabula.Images;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Build;

/// <summary>A registry image as a stage starts from it: from the store, else (or always, with <c>--pull</c>) pulled.</summary>
internal static class BaseImages
{
    /// <param name="what">How the error names the use, e.g. <c>FROM alpine</c>.</param>
    /// <param name="pullProgress">Where a pull's blobs are reported, when the image must be pulled.</param>
    public static async Task<StageState> LoadAsync(ImageStore store, BuildOptions options, string name, Platform platform, SourceLocation location, string what,
        CancellationToken cancellationToken, IProgress<TransferEvent>? pullProgress = null)
    {
        var stored = options.Pull && ImageReference.TryParse(name, out _) ? null : await store.Resolver.TryResolveAsync(name, cancellationToken).ConfigureAwait(false);
        stored ??= await PullAsync(store, options, name, platform, location, what, pullProgress, cancellationToken).ConfigureAwait(false);
        var image = await store.LoadAsync(stored, platform, cancellationToken).ConfigureAwait(false);
        return FromImage(image);
    }

    /// <summary>A stage over an image: its build-time fields describe its own build, not ours (its ONBUILD triggers are taken by the stage).</summary>
    public static StageState FromImage(IImage image) => new(image.Config with { Extra = null }, image.Layers, image.Config.Platform);

    private static async Task<Content.StoredImage> PullAsync(ImageStore store, BuildOptions options, string name, Platform platform, SourceLocation location, string what,
        IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        if (!ImageReference.TryParse(name, out var reference) || reference is null)
            throw new DockerfileException(location, $"{what}: image not found in the local store, and it is not a name to pull");
        try
        {
            var registryOptions = options.Registry ?? new Registry.RegistryOptions();
            using var client = new Registry.RegistryClient(reference.Registry, registryOptions);
            await new RegistryPuller(store, client).PullAsync(reference, platform, allPlatforms: false, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException or Archives.PlatformNotFoundException or NotSupportedException)
        {
            throw new DockerfileException(location, $"{what}: image not found in the local store, and pulling it failed: {e.Message}");
        }
        return await store.Resolver.TryResolveAsync(reference.ToString(), cancellationToken).ConfigureAwait(false)
            ?? throw new DockerfileException(location, $"{what}: pulled, but not found in the store afterwards");
    }
}
