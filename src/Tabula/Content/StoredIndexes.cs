using Tabula.Oci;

namespace Tabula.Content;

/// <summary>
/// The store's multi-platform images: an image index under a name, as docker's containerd store keeps one, beside
/// the single-platform images (a name points at a manifest or at an index; <see cref="ResolveAsync"/> tells which).
/// An index is written only after every manifest it names is in the store, and named last.
/// </summary>
internal sealed class StoredIndexes(ContentStore content, ReferenceStore references, ImageResolver resolver)
{
    /// <summary>
    /// Writes an OCI index listing <paramref name="manifests"/> (manifests or indexes already in the store, each
    /// descriptor carrying its platform) and points <paramref name="name"/> at it; with no name the index is kept
    /// unnamed (dangling) as an untagged build is. Returns the index's descriptor.
    /// </summary>
    public Task<Descriptor> TagIndexAsync(ImageReference? name, IReadOnlyList<Descriptor> manifests, IReadOnlyDictionary<string, string>? annotations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        if (manifests.FirstOrDefault(m => m.Platform is null && MediaTypes.IsManifest(m.MediaType)) is { } bare)
            throw new ArgumentException($"manifest {bare.Digest.Short} has no platform: an index entry without one is never chosen", nameof(manifests));
        return TagAsync(name, ImageIndexEdits.Create(manifests, annotations), cancellationToken);
    }

    /// <summary>Writes <paramref name="index"/> and points <paramref name="name"/> at it (unnamed when null).</summary>
    public async Task<Descriptor> TagAsync(ImageReference? name, ImageIndex index, CancellationToken cancellationToken)
    {
        var descriptor = await WriteAsync(index, cancellationToken).ConfigureAwait(false);
        if (name is null) await references.AddUnnamedAsync(descriptor, cancellationToken).ConfigureAwait(false);
        else await references.TagAsync(name, descriptor, cancellationToken).ConfigureAwait(false);
        return descriptor;
    }

    /// <summary>Writes an index blob (not named) once every entry it lists is in the store.</summary>
    public async Task<Descriptor> WriteAsync(ImageIndex index, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        foreach (var entry in index.Manifests)
            if (!content.Exists(entry.Digest))
                throw new BlobNotFoundException(entry.Digest, $"the store at {content.Root} (an index may only list images the store holds)");
        var blob = ManifestBlob.Of(index);
        await content.WriteBytesAsync(blob.Bytes, cancellationToken).ConfigureAwait(false);
        return blob.Descriptor;
    }

    /// <summary>The manifest or index an entry of the store names, as its exact bytes.</summary>
    public async Task<ManifestBlob> ReadAsync(Descriptor entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return ManifestBlob.Detect(await content.ReadAllBytesAsync(entry.Digest, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>An image of the store by name or ID, with what its name points at: an index or a manifest.</summary>
    public async Task<(StoredImage Image, ManifestBlob Manifest)> ResolveAsync(string text, CancellationToken cancellationToken)
    {
        var image = await resolver.ResolveAsync(text, cancellationToken).ConfigureAwait(false);
        return (image, await ReadAsync(image.Manifest, cancellationToken).ConfigureAwait(false));
    }
}
