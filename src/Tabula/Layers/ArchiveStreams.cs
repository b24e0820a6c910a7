using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.Xz;
using Tabula.Images;
using Tabula.IO;
using Tabula.Oci;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Tabula.Layers;

/// <summary>Opens decompressing and compressing streams for the archive and layer compressions.</summary>
internal static class ArchiveStreams
{
    /// <summary>A read stream of the decompressed content of <paramref name="compressed"/>.</summary>
    public static Stream OpenDecompressing(Stream compressed, ArchiveCompression compression, bool leaveOpen) => compression switch
    {
        ArchiveCompression.None => LayerDecompression.Open(compressed, LayerCompression.None, leaveOpen),
        ArchiveCompression.Gzip => LayerDecompression.Open(compressed, LayerCompression.Gzip, leaveOpen),
        ArchiveCompression.Zstd => LayerDecompression.Open(compressed, LayerCompression.Zstd, leaveOpen),
        ArchiveCompression.Bzip2 => BZip2Stream.Create(compressed, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: true, leaveOpen, tolerateTruncatedStream: false),
        ArchiveCompression.Xz => new XZStream(leaveOpen ? new NonClosingStream(compressed) : compressed),
        _ => throw new ArgumentOutOfRangeException(nameof(compression)),
    };

    public static Stream OpenDecompressing(Stream compressed, LayerCompression compression, bool leaveOpen)
        => LayerDecompression.Open(compressed, compression, leaveOpen);

    /// <summary>
    /// A write stream that compresses into <paramref name="destination"/> on all cores. Deterministic: equal input,
    /// level and library version give equal bytes whatever the number of threads (gzip: <see cref="ParallelGzipStream"/>;
    /// zstd: multi-threaded mode, whose output does not depend on its worker count). Dispose it to finish the stream.
    /// </summary>
    /// <param name="threads">Compressing threads, 0 for one a processor; the output is the same for any value.</param>
    public static Stream OpenCompressing(Stream destination, LayerCompressionSettings settings, bool leaveOpen, int threads = 0) => settings.Compression switch
    {
        LayerCompression.None => leaveOpen ? new NonClosingStream(destination) : destination,
        LayerCompression.Gzip => new ParallelGzipStream(destination, settings.Level, leaveOpen, threads),
        LayerCompression.Zstd => OpenZstd(destination, settings.Level, leaveOpen, threads),
        _ => throw new ArgumentOutOfRangeException(nameof(settings)),
    };

    private const int ZstdJobSize = 2 << 20;

    private const int ZstdBufferSize = 1 << 20;

    /// <summary>zstd on the bundled native library where it loads, else on the managed port: the same bytes either way.</summary>
    internal static Stream OpenZstd(Stream destination, int level, bool leaveOpen, int threads, bool allowNative = true)
    {
        // At least one worker always: zstd's output with workers differs from its single-threaded mode's, but not
        // between worker counts.
        int workers = Math.Max(1, threads == 0 ? Environment.ProcessorCount : threads);
        if (allowNative && NativeZstd.IsUsable)
            return new NativeZstdCompressionStream(destination, level, workers, ZstdJobSize, ZstdBufferSize, leaveOpen);
        var zstd = new CompressionStream(destination, level, bufferSize: ZstdBufferSize, leaveOpen: leaveOpen);
        zstd.SetParameter(ZSTD_cParameter.ZSTD_c_nbWorkers, workers);
        // A fixed job size (it is part of what decides the output) small enough to keep the jobs in flight in tens of MiB.
        zstd.SetParameter(ZSTD_cParameter.ZSTD_c_jobSize, ZstdJobSize);
        return zstd;
    }

    public static ArchiveCompression ToArchiveCompression(LayerCompression compression) => compression switch
    {
        LayerCompression.None => ArchiveCompression.None,
        LayerCompression.Gzip => ArchiveCompression.Gzip,
        LayerCompression.Zstd => ArchiveCompression.Zstd,
        _ => throw new ArgumentOutOfRangeException(nameof(compression)),
    };
}
