using Tabula.Oci;

namespace Tabula.Content;

/// <summary>An image entry of the store as users see it: its manifest descriptor, its image ID and its names.</summary>
internal sealed record StoredImage(Descriptor Manifest, Digest Id, IReadOnlyList<ImageReference> Names);

/// <summary>
/// Finds images in the store the way docker does: by name (normalised, default tag <c>latest</c>), by name@digest,
/// by full or abbreviated image ID, or by manifest digest. An ID matched by several manifests that share that config
/// resolves to one of them (a named one first, then the first in the index).
/// </summary>
internal sealed class ImageResolver(ContentStore store, ReferenceStore references)
{
    /// <summary>All images, one record per manifest, names in index order.</summary>
    public async Task<IReadOnlyList<StoredImage>> ListAsync(CancellationToken cancellationToken)
    {
        var result = new List<StoredImage>();
        var byDigest = new Dictionary<Digest, int>();
        foreach (var entry in await references.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            var name = ReferenceStore.NameOf(entry);
            if (byDigest.TryGetValue(entry.Digest, out var at))
            {
                if (name is not null) result[at] = result[at] with { Names = [.. result[at].Names, name] };
                continue;
            }
            var id = await ImageIdAsync(entry, cancellationToken).ConfigureAwait(false);
            byDigest[entry.Digest] = result.Count;
            result.Add(new StoredImage(entry with { Annotations = null }, id, name is null ? [] : [name]));
        }
        return result;
    }

    public async Task<StoredImage?> TryResolveAsync(string text, CancellationToken cancellationToken)
    {
        var images = await ListAsync(cancellationToken).ConfigureAwait(false);
        if (ImageReference.TryParse(text, out var reference) && reference is not null)
        {
            if (reference.Digest is { } digest)
                return images.FirstOrDefault(i => i.Manifest.Digest == digest);
            var byName = images.FirstOrDefault(i => i.Names.Contains(reference));
            if (byName is not null) return byName;
        }
        var hex = text.StartsWith("sha256:", StringComparison.Ordinal) ? text[7..] : text;
        if (hex.Length == 0 || !hex.All(char.IsAsciiHexDigitLower)) return null;
        var matches = images.Where(i => i.Id.Encoded.StartsWith(hex, StringComparison.Ordinal) || i.Manifest.Digest.Encoded.StartsWith(hex, StringComparison.Ordinal)).ToList();
        if (matches.Select(m => m.Manifest.Digest).Distinct().Count() > 1)
        {
            // An ID names a config: several manifests with the same config (the same image stored twice, e.g. reloaded
            // from a save under another manifest) are one image for lookup. Take a named one first, then index order.
            if (matches.Select(m => m.Id).Distinct().Count() > 1)
                throw new AmbiguousImageException(text, matches.Count);
            return matches.FirstOrDefault(m => m.Names.Count > 0) ?? matches[0];
        }
        return matches.FirstOrDefault();
    }

    public async Task<StoredImage> ResolveAsync(string text, CancellationToken cancellationToken)
        => await TryResolveAsync(text, cancellationToken).ConfigureAwait(false)
           ?? throw new ImageNotFoundException(text, "; list images with 'tabula images', or build, load or pull it first");

    /// <summary>
    /// The config digest for a manifest; for an index, the digest of the index itself (as docker's containerd store
    /// shows). A manifest that cannot be read also gets its own digest: one damaged image must not make every name
    /// lookup fail; reading that image still reports the damage, naming it.
    /// </summary>
    private async Task<Digest> ImageIdAsync(Descriptor entry, CancellationToken cancellationToken)
    {
        if (MediaTypes.IsIndex(entry.MediaType) || !store.Exists(entry.Digest)) return entry.Digest;
        try
        {
            var raw = await store.ReadAllBytesAsync(entry.Digest, cancellationToken).ConfigureAwait(false);
            return MediaTypes.IsIndex(OciJson.DetectManifestMediaType(raw)) ? entry.Digest : OciJson.DeserializeManifest(raw).Config.Digest;
        }
        catch (Exception e) when (StoreDamage.IsDamage(e))
        {
            return entry.Digest;
        }
    }
}

public sealed class AmbiguousImageException(string text, int count)
    : Exception($"'{text}' matches {count} images; give more characters of the ID or a name");
