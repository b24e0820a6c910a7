using Tabula.Content;
using Tabula.IO;
using Tabula.Images;
using Tabula.Layers;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>Moves a layer from an archive into the store in one pass, verifying its digest and its diff ID on the way.</summary>
internal static class LayerIngest
{
    /// <summary>
    /// Stores the blob as it is. Its bytes are read once: they go to the store and through a decompressor whose output
    /// is hashed, so the diff ID is checked before the blob becomes visible.
    /// </summary>
    public static async Task<Descriptor> CopyAsync(ContentStore store, ILayer layer, string what, CancellationToken cancellationToken)
    {
        await using var blob = await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
        await using var writer = store.BeginWrite();
        var tee = new TeeReadStream(blob, writer.Stream);
        await using (var tar = new HashingStream(LayerDecompression.Open(new NonClosingStream(tee), MediaTypes.LayerCompressionOf(layer.MediaType))))
        {
            try
            {
                await tar.CopyToAsync(Stream.Null, 1 << 16, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (CorruptData.IsDecompressionFailure(e))
            {
                throw await CorruptData.ExplainAsync(blob, what, e, cancellationToken).ConfigureAwait(false);
            }
            if (tar.Digest != layer.DiffId) throw new DigestMismatchException($"{what} (uncompressed)", layer.DiffId, tar.Digest.ToString());
        }
        // Whatever the decompressor did not need (padding, trailing members) still belongs to the blob.
        await tee.CopyToAsync(Stream.Null, 1 << 16, cancellationToken).ConfigureAwait(false);
        await writer.CommitAsync(layer.Digest, layer.Size, what, cancellationToken).ConfigureAwait(false);
        return new Descriptor { MediaType = layer.MediaType, Digest = layer.Digest, Size = layer.Size };
    }

    /// <summary>
    /// Stores an uncompressed layer gzip-compressed: tar → sha256 (diff ID, checked) → gzip → sha256 and count (the
    /// blob's digest and size) → store, one streaming pass.
    /// </summary>
    public static async Task<Descriptor> CompressAsync(ContentStore store, ILayer layer, string mediaType, string what, CancellationToken cancellationToken)
    {
        await using var tar = await layer.OpenUncompressedAsync(cancellationToken).ConfigureAwait(false);
        await using var writer = store.BeginWrite();
        await using (var hashing = new HashingStream(tar, leaveOpen: true))
        {
            await using (var gzip = ArchiveStreams.OpenCompressing(writer.Stream, LayerCompressionSettings.Gzip(), leaveOpen: true))
                await hashing.CopyToAsync(gzip, 1 << 16, cancellationToken).ConfigureAwait(false);
            if (hashing.Digest != layer.DiffId) throw new DigestMismatchException($"{what} (uncompressed)", layer.DiffId, hashing.Digest.ToString());
        }
        var (digest, size) = await writer.CommitAsync(what: what, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new Descriptor { MediaType = mediaType, Digest = digest, Size = size };
    }
}
