using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Transports;

/// <summary>
/// A layer whose tar reports <see cref="TransferKind.Compressing"/> as it is read: wrapped around an uncompressed layer
/// on its way to being gzipped, so a push is not silent while it compresses.
/// </summary>
internal sealed class CompressingLayer(ILayer inner, long tarSize, IProgress<TransferEvent> progress) : ILayer
{
    public Digest Digest => inner.Digest;
    public Digest DiffId => inner.DiffId;
    public long Size => inner.Size;
    public string MediaType => inner.MediaType;

    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) => inner.OpenCompressedAsync(cancellationToken);

    public async Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken)
        => TransferProgressStream.WrapCompressing(await inner.OpenUncompressedAsync(cancellationToken).ConfigureAwait(false), inner.DiffId, tarSize, progress);
}
