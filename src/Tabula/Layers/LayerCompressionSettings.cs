using System.IO.Compression;
using Tabula.Oci;

namespace Tabula.Layers;

/// <summary>How a layer blob is compressed: the algorithm and its level (gzip 0–9, zstd 1–22).</summary>
public sealed record LayerCompressionSettings
{
    public const int DefaultGzipLevel = 6;
    public const int DefaultZstdLevel = 3;

    public LayerCompression Compression { get; }
    public int Level { get; }

    public LayerCompressionSettings(LayerCompression compression, int level)
    {
        var (min, max) = compression switch
        {
            LayerCompression.None => (0, 0),
            LayerCompression.Gzip => (0, 9),
            LayerCompression.Zstd => (1, 22),
            _ => throw new ArgumentOutOfRangeException(nameof(compression)),
        };
        if (level < min || level > max)
            throw new ArgumentOutOfRangeException(nameof(level), $"{compression} level {level} is outside {min}..{max}");
        Compression = compression;
        Level = level;
    }

    public static LayerCompressionSettings None { get; } = new(LayerCompression.None, 0);
    public static LayerCompressionSettings Gzip(int level = DefaultGzipLevel) => new(LayerCompression.Gzip, level);
    public static LayerCompressionSettings Zstd(int level = DefaultZstdLevel) => new(LayerCompression.Zstd, level);

    /// <summary>Maps the BCL's named levels the way zlib does (fastest 1, optimal 6, smallest 9); zstd 1, 3, 19.</summary>
    public static LayerCompressionSettings From(LayerCompression compression, CompressionLevel level) => compression switch
    {
        LayerCompression.None => None,
        LayerCompression.Gzip => Gzip(level switch { CompressionLevel.NoCompression => 0, CompressionLevel.Fastest => 1, CompressionLevel.SmallestSize => 9, _ => 6 }),
        LayerCompression.Zstd => Zstd(level switch { CompressionLevel.NoCompression or CompressionLevel.Fastest => 1, CompressionLevel.SmallestSize => 19, _ => 3 }),
        _ => throw new ArgumentOutOfRangeException(nameof(compression)),
    };
}
