using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>Picks the manifest of an index for a platform the way docker does.</summary>
public static class PlatformSelection
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
    : Exception($"image index {index.Short} has no manifest for {wanted}; it has: {string.Join(", ", available.Manifests.Select(m => m.Platform?.ToString() ?? "unknown"))}; choose one with --platform")
{
}
