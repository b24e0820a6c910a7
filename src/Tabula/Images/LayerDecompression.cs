using System.IO.Compression;
using Tabula.Oci;
using ZstdSharp;

namespace Tabula.Images;

/// <summary>Opens the tar inside a layer blob of a known compression.</summary>
public static class LayerDecompression
{
    public static Stream Open(Stream compressed, LayerCompression compression) => compression switch
    {
        LayerCompression.None => compressed,
        LayerCompression.Gzip => new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: false),
        LayerCompression.Zstd => new DecompressionStream(compressed, leaveOpen: false),
        _ => throw new ArgumentOutOfRangeException(nameof(compression)),
    };

    /// <summary>Layer blobs of Docker archives say nothing of their compression: tell it from the first bytes.</summary>
    public static LayerCompression Sniff(ReadOnlySpan<byte> head) => head switch
    {
        [0x1f, 0x8b, ..] => LayerCompression.Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => LayerCompression.Zstd,
        _ => LayerCompression.None,
    };
}
