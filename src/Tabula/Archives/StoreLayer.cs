using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>A layer whose blob is in an OCI layout's content store.</summary>
internal sealed class StoreLayer(ContentStore store, Descriptor descriptor, Digest diffId) : ILayer
{
    public Digest Digest => descriptor.Digest;
    public Digest DiffId => diffId;
    public long Size => descriptor.Size;
    public string MediaType => descriptor.MediaType;

    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken)
        => Task.FromResult(store.OpenRead(descriptor.Digest, descriptor.Size));

    public Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken)
    {
        var compressed = store.OpenRead(descriptor.Digest, descriptor.Size);
        return Task.FromResult(LayerDecompression.Open(compressed, MediaTypes.LayerCompressionOf(descriptor.MediaType)));
    }
}
