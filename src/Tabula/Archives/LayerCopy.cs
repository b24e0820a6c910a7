using Tabula.Content;
using Tabula.Images;
using Tabula.IO;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>Moves a layer's tar out of its blob in one verified pass.</summary>
internal static class LayerCopy
{
    /// <summary>
    /// Decompresses a layer into <paramref name="destination"/>, checking the tar against the diff ID and the blob
    /// against its digest (the blob is read to its end so its digest check runs even when the decompressor stops early).
    /// </summary>
    public static async Task CopyUncompressedAsync(ILayer layer, Stream destination, CancellationToken cancellationToken)
    {
        await using var compressed = await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
        var compression = MediaTypes.LayerCompressionOf(layer.MediaType);
        // Decompression runs a few chunks ahead on another thread while this one hashes and writes.
        await using (var tar = new HashingStream(new ReadAheadStream(LayerDecompression.Open(new NonClosingStream(compressed), compression))))
        {
            try
            {
                await tar.CopyToAsync(destination, 1 << 16, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (CorruptData.IsDecompressionFailure(e))
            {
                throw await CorruptData.ExplainAsync(compressed, $"layer {layer.Digest.Short}", e, cancellationToken).ConfigureAwait(false);
            }
            if (tar.Digest != layer.DiffId)
                throw new DigestMismatchException($"layer {layer.Digest.Short} (uncompressed)", layer.DiffId, tar.Digest.ToString());
        }
        await compressed.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
    }
}
