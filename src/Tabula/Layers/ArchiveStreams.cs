using Tabula.IO;
using Tabula.Oci;
using System.IO.Compression;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.Xz;
using ZstdSharp;

namespace Tabula.Layers;

/// <summary>Opens decompressing and compressing streams for the archive and layer compressions.</summary>
public static class ArchiveStreams
{
    /// <summary>A read stream of the decompressed content of <paramref name="compressed"/>.</summary>
    public static Stream OpenDecompressing(Stream compressed, ArchiveCompression compression, bool leaveOpen) => compression switch
    {
        ArchiveCompression.None => leaveOpen ? new NonClosingStream(compressed) : compressed,
        // GZipStream reads concatenated members, as Go's gzip reader does.
        ArchiveCompression.Gzip => new GZipStream(compressed, CompressionMode.Decompress, leaveOpen),
        ArchiveCompression.Bzip2 => BZip2Stream.Create(compressed, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: true, leaveOpen, tolerateTruncatedStream: false),
        ArchiveCompression.Xz => new XZStream(leaveOpen ? new NonClosingStream(compressed) : compressed),
        ArchiveCompression.Zstd => new DecompressionStream(compressed, leaveOpen: leaveOpen),
        _ => throw new ArgumentOutOfRangeException(nameof(compression)),
    };

    public static Stream OpenDecompressing(Stream compressed, LayerCompression compression, bool leaveOpen)
        => OpenDecompressing(compressed, ToArchiveCompression(compression), leaveOpen);

    /// <summary>
    /// A write stream that compresses into <paramref name="destination"/>. Deterministic: the gzip header carries no
    /// file name and a zero mtime, so equal input, level and library version give equal bytes. Dispose it to finish the stream.
    /// </summary>
    public static Stream OpenCompressing(Stream destination, LayerCompressionSettings settings, bool leaveOpen) => settings.Compression switch
    {
        LayerCompression.None => leaveOpen ? new NonClosingStream(destination) : destination,
        LayerCompression.Gzip => new GZipStream(destination, new ZLibCompressionOptions { CompressionLevel = settings.Level }, leaveOpen),
        LayerCompression.Zstd => new CompressionStream(destination, settings.Level, leaveOpen: leaveOpen),
        _ => throw new ArgumentOutOfRangeException(nameof(settings)),
    };

    public static ArchiveCompression ToArchiveCompression(LayerCompression compression) => compression switch
    {
        LayerCompression.None => ArchiveCompression.None,
        LayerCompression.Gzip => ArchiveCompression.Gzip,
        LayerCompression.Zstd => ArchiveCompression.Zstd,
        _ => throw new ArgumentOutOfRangeException(nameof(compression)),
    };
}
