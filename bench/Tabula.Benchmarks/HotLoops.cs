using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Tabula.Layers;

namespace Tabula.Benchmarks;

/// <summary>
/// The loops a layer spends its time in, over a synthetic tar of text-like files (about 3:1 compressible) or the
/// tar named by the TABULA_BENCH_TAR environment variable.
/// </summary>
[MemoryDiagnoser]
public class HotLoops
{
    private byte[] _tar = [];

    [GlobalSetup]
    public void Setup()
        => _tar = Environment.GetEnvironmentVariable("TABULA_BENCH_TAR") is { Length: > 0 } path ? File.ReadAllBytes(path) : SyntheticTar(16 << 20);

    [Benchmark] public byte[] Sha256() => SHA256.HashData(_tar);
    [Benchmark] public uint Crc32() => GzipCrc32.Compute(_tar);
    [Benchmark(Baseline = true)] public long GzipStreamLevel6() => GzipStream(_tar, 6);
    [Benchmark] public long ParallelGzipLevel6() => ParallelGzip(_tar, 6);
    [Benchmark] public Task<long> ZstdLevel3() => CompressAsync(_tar, LayerCompressionSettings.Zstd());
    [Benchmark] public Task<long> LayerWriterGzip() => LayerWriterAsync(_tar, LayerCompressionSettings.Gzip());
    [Benchmark] public Task<long> TarRead() => ReadTarAsync(_tar);

    public static long GzipStream(byte[] data, int level)
    {
        var counter = new CountingNull();
        using (var gzip = new GZipStream(counter, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
            gzip.Write(data);
        return counter.Count;
    }

    public static long ParallelGzip(byte[] data, int level)
    {
        var counter = new CountingNull();
        using (var gzip = new ParallelGzipStream(counter, level, leaveOpen: true))
            gzip.Write(data);
        return counter.Count;
    }

    public static async Task<long> CompressAsync(byte[] data, LayerCompressionSettings settings)
    {
        var counter = new CountingNull();
        await using (var stream = ArchiveStreams.OpenCompressing(counter, settings, leaveOpen: true))
            await stream.WriteAsync(data);
        return counter.Count;
    }

    /// <summary>As a build feeds it: the tar in 64 KiB writes.</summary>
    public static async Task<long> LayerWriterAsync(byte[] data, LayerCompressionSettings settings)
    {
        await using var writer = new LayerWriter(new CountingNull(), settings);
        for (int at = 0; at < data.Length; at += 1 << 16)
            await writer.WriteAsync(data.AsMemory(at, Math.Min(1 << 16, data.Length - at)));
        return (await writer.CompleteAsync(default)).Size;
    }

    public static async Task<long> ReadTarAsync(byte[] data)
    {
        var reader = new TarArchiveReader(new MemoryStream(data, writable: false));
        long entries = 0;
        while (await reader.NextAsync(default) is not null) entries++;
        return entries;
    }

    public static byte[] SyntheticTar(int approximateSize)
    {
        var random = new Random(1);
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            const string alphabet = "etaoin shrdlu\n/.-_0123456789";
            for (int i = 0; output.Length < approximateSize; i++)
            {
                var content = new byte[random.Next(100, 200_000)];
                for (int k = 0; k < content.Length; k++)
                    content[k] = k > 64 && random.Next(4) == 0 ? content[k - random.Next(1, 64)] : (byte)alphabet[random.Next(alphabet.Length)];
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"usr/share/file{i}") { DataStream = new MemoryStream(content) });
            }
        }
        return output.ToArray();
    }

    internal sealed class CountingNull : Stream
    {
        public long Count;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Count;
        public override long Position { get => Count; set => throw new NotSupportedException(); }
        public override void Write(byte[] buffer, int offset, int count) => Count += count;
        public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) { Count += buffer.Length; return ValueTask.CompletedTask; }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
