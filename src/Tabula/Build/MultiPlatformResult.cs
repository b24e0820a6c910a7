using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Build;

/// <summary>One platform's image of a multi-platform build: the manifest the store holds for it.</summary>
public sealed record PlatformImage(Platform Platform, Descriptor Manifest, Digest ImageId)
{
    /// <summary>The image's attestation manifest (<c>--attest</c>), listed in the index after every platform's image, as BuildKit lists them.</summary>
    public Descriptor? Attestation { get; init; }
}

/// <summary>
/// How a multi-platform build's result is kept: an image index naming each platform's manifest with its platform,
/// written through the store's <see cref="Tabula.Content.StoredIndexes"/> and named like any image (its tags, else an
/// unnamed entry). Pushing it is the store's own index push (each platform's manifest by digest, then the index under
/// the tag).
/// </summary>
internal static class MultiPlatformResult
{
    /// <summary>Writes the index (its bytes fixed by the manifests and platforms in order, so a rebuild gives the same digest) and names it.</summary>
    public static async Task<Descriptor> StoreAsync(ImageStore store, IReadOnlyList<PlatformImage> images, IReadOnlyList<ImageReference> tags, bool nameInStore,
        CancellationToken cancellationToken)
    {
        var descriptor = await store.Indexes.WriteAsync(Index(images), cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (nameInStore && tags.Count == 0) await store.References.AddUnnamedAsync(descriptor, cancellationToken).ConfigureAwait(false);
        foreach (var tag in nameInStore ? tags : []) await store.References.TagAsync(tag, descriptor, cancellationToken).ConfigureAwait(false);
        return descriptor;
    }

    /// <summary>
    /// An OCI index over OCI manifests, a Docker manifest list over Docker ones (as BuildKit's image exporter pairs
    /// them), one entry per platform.
    /// </summary>
    internal static ImageIndex Index(IReadOnlyList<PlatformImage> images)
    {
        bool oci = images.All(i => i.Manifest.MediaType == MediaTypes.OciManifest);
        return new ImageIndex
        {
            MediaType = oci ? MediaTypes.OciIndex : MediaTypes.DockerManifestList,
            Manifests = images.Select(i => new Descriptor
            {
                MediaType = i.Manifest.MediaType,
                Digest = i.Manifest.Digest,
                Size = i.Manifest.Size,
                Platform = i.Platform,
            }).Concat(images.Select(i => i.Attestation).OfType<Descriptor>()).ToList(),
        };
    }
}
