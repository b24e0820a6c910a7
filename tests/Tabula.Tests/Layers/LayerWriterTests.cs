using System.IO.Compression;
using System.Security.Cryptography;
using Tabula.Layers;
using Tabula.Oci;

namespace Tabula.Tests.Layers;

public class LayerWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(LayerCompression.None)]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    public async Task Digests_are_the_sha256_of_the_tar_fed_and_of_the_bytes_written(LayerCompression compression)
    {
        var tar = await TarTestData.WriteTarAsync([TarTestData.Dir("etc"), TarTestData.File("etc/hosts", 100_000), TarTestData.Symlink("x", "etc")], Ct);
        var destination = new MemoryStream();
        var settings = compression switch { LayerCompression.Gzip => LayerCompressionSettings.Gzip(), LayerCompression.Zstd => LayerCompressionSettings.Zstd(), _ => LayerCompressionSettings.None };

        WrittenLayer layer;
        await using (var writer = new LayerWriter(destination, settings))
        {
            await writer.WriteAsync(tar, Ct);
            layer = await writer.CompleteAsync(Ct);
        }

        byte[] blob = destination.ToArray();
        Assert.Equal(Digest.Compute(tar), layer.DiffId);
        Assert.Equal(Digest.Compute(blob), layer.Digest);
        Assert.Equal(blob.Length, layer.Size);
        Assert.Equal(tar.Length, layer.UncompressedSize);
        Assert.Equal(compression, layer.Compression);
        if (compression == LayerCompression.None) Assert.Equal(tar, blob);
        await using var decompressed = ArchiveStreams.OpenDecompressing(new MemoryStream(blob), compression, leaveOpen: false);
        var roundTrip = new MemoryStream();
        await decompressed.CopyToAsync(roundTrip, Ct);
        Assert.Equal(tar, roundTrip.ToArray());
    }

    [Fact]
    public async Task Media_types_follow_the_compression()
    {
        await using var writer = new LayerWriter(new MemoryStream(), LayerCompressionSettings.Gzip(1));
        var layer = await writer.CompleteAsync(Ct);
        Assert.Equal(MediaTypes.DockerLayerGzip, layer.MediaType(oci: false));
        Assert.Equal(MediaTypes.OciLayerGzip, layer.ToDescriptor(oci: true).MediaType);
        Assert.Throws<InvalidOperationException>(() => writer.Write([1]));
    }
}

[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;

[Collection(nameof(MemoryMeasurements))]
public class LayerWriterMemoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Memory_does_not_grow_with_the_layer_size()
    {
        const long total = 384L * 1024 * 1024;
        var chunk = new byte[1024 * 1024];
        new Random(42).NextBytes(chunk.AsSpan(0, chunk.Length / 2)); // half noise, half zeros: compressible but not trivially
        var sink = new CountingSink();
        var reference = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        GC.Collect();
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        WrittenLayer layer;
        await using (var writer = new LayerWriter(sink, LayerCompressionSettings.Gzip(1)))
        {
            for (long written = 0; written < total; written += chunk.Length)
            {
                chunk[0] = (byte)(written >> 20); // every chunk differs
                reference.AppendData(chunk);
                await writer.WriteAsync(chunk, Ct);
                if ((written >> 20) % 16 == 0) peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
            }
            layer = await writer.CompleteAsync(Ct);
        }

        Assert.Equal(total, layer.UncompressedSize);
        Assert.Equal(Digest.FromSha256Hash(reference.GetHashAndReset()), layer.DiffId);
        Assert.Equal(sink.Count, layer.Size);
        Assert.True(peak - baseline < 64L * 1024 * 1024, $"managed memory grew by {(peak - baseline) >> 20} MiB while streaming {total >> 20} MiB");
    }

    /// <summary>Counts what is written and keeps none of it.</summary>
    private sealed class CountingSink : Stream
    {
        public long Count { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Count;
        public override long Position { get => Count; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Count += count;
        public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;
    }
}
