using Tabula.Archives;
using Tabula.Archives.Tar;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Transports;

/// <summary>Where an index is copied from: its top manifest, the manifests it names by digest, and their images.</summary>
internal interface IManifestReader
{
    /// <summary>What the location names: an index or a single image's manifest, exact bytes.</summary>
    Task<ManifestBlob> TopAsync(CancellationToken cancellationToken);

    Task<ManifestBlob> GetAsync(Descriptor descriptor, CancellationToken cancellationToken);

    Task<IImage> OpenImageAsync(Descriptor manifest, CancellationToken cancellationToken);

    /// <summary>The names the image carries where it is (the store's names; none elsewhere).</summary>
    IReadOnlyList<ImageReference> Names { get; }
}

/// <summary>An index in a registry repository; children are fetched by digest from the same repository.</summary>
internal sealed class RegistryManifestReader(RegistryClient client, ImageReference reference) : IManifestReader
{
    public IReadOnlyList<ImageReference> Names => [];

    public async Task<ManifestBlob> TopAsync(CancellationToken cancellationToken)
        => Blob(await client.GetManifestAsync(reference.Repository, reference.Digest?.ToString() ?? reference.Tag ?? ImageReference.DefaultTag, cancellationToken).ConfigureAwait(false));

    public async Task<ManifestBlob> GetAsync(Descriptor descriptor, CancellationToken cancellationToken)
        => Blob(await client.GetManifestAsync(reference.Repository, descriptor.Digest.ToString(), cancellationToken).ConfigureAwait(false));

    public Task<IImage> OpenImageAsync(Descriptor manifest, CancellationToken cancellationToken)
        => RegistryImage.LoadAsync(client, reference with { Tag = null, Digest = manifest.Digest }, null, cancellationToken);

    private static ManifestBlob Blob(RegistryManifest manifest) => new(manifest.Bytes, manifest.MediaType);
}

/// <summary>An index in an OCI layout (an <c>oci:</c> directory, or the store itself), starting at one of its entries.</summary>
internal sealed class LayoutManifestReader(ContentStore content, Descriptor top, IReadOnlyList<ImageReference> names) : IManifestReader
{
    public IReadOnlyList<ImageReference> Names => names;

    public Task<ManifestBlob> TopAsync(CancellationToken cancellationToken) => GetAsync(top, cancellationToken);

    public async Task<ManifestBlob> GetAsync(Descriptor descriptor, CancellationToken cancellationToken)
        => ManifestBlob.Detect(await content.ReadAllBytesAsync(descriptor.Digest, cancellationToken).ConfigureAwait(false));

    public Task<IImage> OpenImageAsync(Descriptor manifest, CancellationToken cancellationToken)
        => new OciLayout(content).LoadImageAsync(manifest, null, cancellationToken);
}

/// <summary>An index in an oci-archive, read in place: blobs verified as they are read, layers streamed from the tar.</summary>
internal sealed class ArchiveManifestReader(ArchiveFile archive, ArchiveIndex top) : IManifestReader
{
    public IReadOnlyList<ImageReference> Names => top.Names;

    public Task<ManifestBlob> TopAsync(CancellationToken cancellationToken) => GetAsync(top.Entry, cancellationToken);

    public async Task<ManifestBlob> GetAsync(Descriptor descriptor, CancellationToken cancellationToken)
        => ManifestBlob.Detect(await OciArchiveReader.ReadBlobAsync(archive, descriptor, "a manifest", cancellationToken).ConfigureAwait(false));

    public Task<IImage> OpenImageAsync(Descriptor manifest, CancellationToken cancellationToken)
        => OciArchiveReader.ReadImageAsync(archive, manifest, Platform.Host, cancellationToken);
}
