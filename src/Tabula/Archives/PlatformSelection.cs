using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>Picks the manifest of an index for a platform the way docker does.</summary>
internal static class PlatformSelection
{
    public static Descriptor? Choose(ImageIndex index, Platform wanted)
    {
        var candidates = index.Manifests.Where(m => MediaTypes.IsManifest(m.MediaType) || m.MediaType is null).ToList();
        // Exact variant first, then the architecture's default variant or none.
        return candidates.FirstOrDefault(m => m.Platform is { } p && Platform.Normalize(p) == Platform.Normalize(wanted) with { OsFeatures = Platform.Normalize(p).OsFeatures, OsVersion = wanted.OsVersion is { Length: > 0 } version ? version : Platform.Normalize(p).OsVersion })
            ?? candidates.FirstOrDefault(m => wanted.Matches(m.Platform));
    }

    /// <summary>
    /// The manifest for a platform, looking into nested indexes (an index may list indexes, e.g. one per OS family)
    /// when the top one lists no manifest for it: a nested index whose descriptor names the platform first, then the
    /// others in order. Nesting deeper than <see cref="MaxDepth"/> is refused rather than followed.
    /// </summary>
    public static async Task<Descriptor> ChooseAsync(Digest indexDigest, ImageIndex index, Platform wanted,
        Func<Descriptor, CancellationToken, Task<ImageIndex>> readNested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(readNested);
        return await ChooseNestedAsync(index, wanted, readNested, 0, cancellationToken).ConfigureAwait(false)
            ?? throw new PlatformNotFoundException(indexDigest, wanted, index);
    }

    public const int MaxDepth = 8;

    private static async Task<Descriptor?> ChooseNestedAsync(ImageIndex index, Platform wanted, Func<Descriptor, CancellationToken, Task<ImageIndex>> readNested, int depth, CancellationToken cancellationToken)
    {
        if (Choose(index, wanted) is { } chosen) return chosen;
        if (depth >= MaxDepth) throw new InvalidDataException($"image indexes nested more than {MaxDepth} deep");
        var nested = index.Manifests.Where(m => MediaTypes.IsIndex(m.MediaType)).OrderBy(m => wanted.Matches(m.Platform) ? 0 : 1);
        foreach (var child in nested)
        {
            var found = await ChooseNestedAsync(await readNested(child, cancellationToken).ConfigureAwait(false), wanted, readNested, depth + 1, cancellationToken).ConfigureAwait(false);
            if (found is not null) return found;
        }
        return null;
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
