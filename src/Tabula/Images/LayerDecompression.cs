using System.IO.Compression;
using Tabula.IO;
using Tabula.Oci;
using ZstdSharp;

namespace Tabula.Images;

/// <summary>Opens the tar inside a layer blob, and tells a blob's compression from its first bytes.</summary>
internal static class LayerDecompression
{
    public static Stream Open(Stream compressed, LayerCompression compression, bool leaveOpen = false) => compression switch
    {
        LayerCompression.None => leaveOpen ? new NonClosingStream(compressed) : compressed,
        // GZipStream reads concatenated members, as Go's gzip reader does.
        LayerCompression.Gzip => new GZipStream(compressed, CompressionMode.Decompress, leaveOpen),
        LayerCompression.Zstd => new DecompressionStream(compressed, leaveOpen: leaveOpen),
        _ => throw new ArgumentOutOfRangeException(nameof(compression)),
    };

    /// <summary>
    /// Layer blobs of Docker archives say nothing of their compression: tell it from the first bytes (gzip with its
    /// one defined method, deflate; zstd, also when it opens with a skippable frame, magic 0x184D2A50..5F).
    /// </summary>
    public static LayerCompression Sniff(ReadOnlySpan<byte> head) => head switch
    {
        [0x1f, 0x8b, 0x08, ..] => LayerCompression.Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => LayerCompression.Zstd,
        [var b, 0x2a, 0x4d, 0x18, ..] when (b & 0xf0) == 0x50 => LayerCompression.Zstd,
        _ => LayerCompression.None,
    };
}
