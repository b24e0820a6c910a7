using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>Picks the manifest of an index for a platform the way docker does.</summary>
internal static class PlatformSelection
{
    public static Descriptor? Choose(ImageIndex index, Platform wanted)
    {
        var candidates = index.Manifests.Where(m => MediaTypes.IsManifest(m.MediaType) || m.MediaType is null).ToList();
        // Exact variant first, then the architecture's default variant or none.
        return candidates.FirstOrDefault(m => m.Platform is { } p && Platform.Normalize(p) == Platform.Normalize(wanted) with { OsFeatures = Platform.Normalize(p).OsFeatures, OsVersion = Platform.Normalize(p).OsVersion })
            ?? candidates.FirstOrDefault(m => wanted.Matches(m.Platform));
    }
}

public sealed class PlatformNotFoundException(Digest index, Platform wanted, ImageIndex available)
    : Exception(Describe(index, wanted, available))
{
    /// <summary>
    /// An entry for the platform that is no image manifest (a nested index, an artifact) is named as such: "no manifest
    /// for linux/amd64; it has: linux/amd64" told the user nothing.
    /// </summary>
    private static string Describe(Digest index, Platform wanted, ImageIndex available)
    {
        if (available.Manifests.FirstOrDefault(m => wanted.Matches(m.Platform)) is { } entry)
            return $"image index {index.Short} lists {wanted} as {entry.Digest.Short} of type '{entry.MediaType}', which is not an image manifest; the index is not a usable image for this platform";
        return $"image index {index.Short} has no manifest for {wanted}; it has: {string.Join(", ", available.Manifests.Select(m => m.Platform?.ToString() ?? "unknown"))}; choose one with --platform";
    }
}
