using Tabula.Archives;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Transports;

/// <summary>
/// Where an index is copied to. Children go first, each by digest; the top manifest is named last, so the
/// destination never names an index whose images are missing.
/// </summary>
internal interface IManifestWriter
{
    /// <summary>Writes one image by digest; returns the descriptor of the manifest as written (its digest may be another's).</summary>
    Task<Descriptor> WriteImageAsync(IImage image, CancellationToken cancellationToken);

    /// <summary>Writes a nested index by digest.</summary>
    Task WriteIndexAsync(ManifestBlob index, CancellationToken cancellationToken);

    /// <summary>Writes the top index and gives it the destination's name.</summary>
    Task NameAsync(ManifestBlob index, IReadOnlyList<ImageReference> sourceNames, CancellationToken cancellationToken);
}

/// <summary>A registry repository: images pushed as <c>copy</c> pushes one, manifests put by digest, the top under the tag.</summary>
internal sealed class RegistryManifestWriter(ImageCopier copier, RegistryClient client, ImageReference destination, IProgress<TransferEvent>? progress) : IManifestWriter
{
    public async Task<Descriptor> WriteImageAsync(IImage image, CancellationToken cancellationToken)
    {
        var pushed = await copier.PushImageAsync(image, client, destination.Repository, null, progress, cancellationToken).ConfigureAwait(false);
        return new ManifestBlob(pushed, image.ManifestMediaType).Descriptor;
    }

    public Task WriteIndexAsync(ManifestBlob index, CancellationToken cancellationToken)
        => client.PutManifestAsync(destination.Repository, index.Digest.ToString(), index.Bytes, index.MediaType, cancellationToken);

    public async Task NameAsync(ManifestBlob index, IReadOnlyList<ImageReference> sourceNames, CancellationToken cancellationToken)
    {
        if (destination.Digest is { } asked && asked != index.Digest) throw new PushTargetException(destination, index.Digest);
        await client.PutManifestAsync(destination.Repository, destination.Tag ?? destination.Digest?.ToString() ?? ImageReference.DefaultTag, index.Bytes, index.MediaType, cancellationToken).ConfigureAwait(false);
        progress?.Report(new TransferEvent(TransferKind.ManifestWritten, index.Digest, index.Bytes.Length));
    }
}

/// <summary>An OCI layout: the store (named as the store names images) or an <c>oci:</c> directory (a ref.name tag).</summary>
internal sealed class LayoutManifestWriter(ContentStore content, Func<ManifestBlob, IReadOnlyList<ImageReference>, CancellationToken, Task> name, bool toOci, IProgress<BlobProgress>? progress) : IManifestWriter
{
    public Task<Descriptor> WriteImageAsync(IImage image, CancellationToken cancellationToken)
        => new OciLayout(content).WriteImageAsync(toOci ? OciConversion.ToOci(image) : image, progress, cancellationToken);

    public Task WriteIndexAsync(ManifestBlob index, CancellationToken cancellationToken) => content.WriteBytesAsync(index.Bytes, cancellationToken);

    public async Task NameAsync(ManifestBlob index, IReadOnlyList<ImageReference> sourceNames, CancellationToken cancellationToken)
    {
        await content.WriteBytesAsync(index.Bytes, cancellationToken).ConfigureAwait(false);
        await name(index, sourceNames, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The store: named as the destination says, else as the source was, else unnamed.</summary>
    public static LayoutManifestWriter ForStore(ImageStore store, string? reference, IProgress<BlobProgress>? progress)
        => new(store.Content, async (index, names, ct) =>
        {
            var target = reference is { Length: > 0 } r ? ImageReference.Parse(r) : names.FirstOrDefault();
            if (target is null) await store.References.AddUnnamedAsync(index.Descriptor, ct).ConfigureAwait(false);
            else await store.References.TagAsync(target, index.Descriptor, ct).ConfigureAwait(false);
        }, toOci: false, progress);

    /// <summary>An <c>oci:DIR[:TAG]</c> directory; <paramref name="toOci"/> converts each image to OCI media types.</summary>
    public static LayoutManifestWriter ForLayout(ContentStore layout, string? tag, bool toOci, IProgress<BlobProgress>? progress)
        => new(layout, (index, _, ct) => ImageCopier.NameInLayoutAsync(layout, index.Descriptor, tag, ct), toOci, progress);
}
