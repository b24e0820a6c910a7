using Tabula.Layers;
using Tabula.Tests.Integration.Support;
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

    [Theory]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    public async Task The_blob_is_the_compressor_s_own_output_however_the_tar_arrives(LayerCompression compression)
    {
        // The writer may hand the tar to the compressor on another thread (zstd), but never flushes it early: a flush
        // ends a block, and the same tar must give the same blob.
        var tar = await TarTestData.WriteTarAsync([TarTestData.File("a", 3_000_000), TarTestData.File("b", 700_000)], Ct);
        var settings = compression == LayerCompression.Gzip ? LayerCompressionSettings.Gzip() : LayerCompressionSettings.Zstd();
        var expected = new MemoryStream();
        await using (var compressor = ArchiveStreams.OpenCompressing(expected, settings, leaveOpen: true))
            await compressor.WriteAsync(tar, Ct);

        var blob = new MemoryStream();
        await using (var writer = new LayerWriter(blob, settings))
        {
            for (int offset = 0; offset < tar.Length; offset += 10_000)
                await writer.WriteAsync(tar.AsMemory(offset, Math.Min(10_000, tar.Length - offset)), Ct);
            await writer.FlushAsync(Ct);
            var layer = await writer.CompleteAsync(Ct);
            Assert.Equal(tar.Length, layer.UncompressedSize);
        }
        Assert.Equal(expected.ToArray(), blob.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_layer_written_into_the_store_s_blob_writer_commits_under_the_digest_of_its_bytes(bool startFresh)
    {
        using var dir = new TempDir();
        var store = Tabula.Content.ContentStore.Open(dir.Path);
        var tar = await TarTestData.WriteTarAsync([TarTestData.File("a", 70_000)], Ct);
        await using var blob = store.BeginWrite();
        // A stream something has already passed through cannot lend its hash: the layer's digest would count those bytes.
        if (!startFresh) await blob.Stream.WriteAsync(new byte[] { 1, 2, 3 }, Ct);
        WrittenLayer layer;
        await using (var writer = new LayerWriter(blob.Stream, LayerCompressionSettings.Gzip()))
        {
            await writer.WriteAsync(tar, Ct);
            layer = await writer.CompleteAsync(Ct);
        }

        // The writer leaves the store's stream open, and the store commits what was written under the layer's digest.
        var (digest, size) = await blob.CommitAsync(cancellationToken: Ct);
        byte[] stored = await File.ReadAllBytesAsync(store.BlobPath(digest), Ct);
        Assert.Equal(startFresh ? layer.Digest : Digest.Compute(stored), digest);
        Assert.Equal(Digest.Compute(stored), digest);
        Assert.Equal(startFresh ? layer.Size : layer.Size + 3, size);
        Assert.Equal(Digest.Compute(stored.AsSpan(startFresh ? 0 : 3)), layer.Digest);
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

/// <summary>
/// Streaming, checked by what happens rather than by a memory or time threshold (the managed-memory
/// measurement over a large layer is <c>bench/Tabula.Benchmarks</c>' <c>memory</c> mode): compressed bytes
/// reach the destination while input is still being written, never more than a bounded amount behind.
/// </summary>
public class LayerWriterStreamingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Output_keeps_up_with_input_within_the_blocks_in_flight()
    {
        // ParallelGzipStream holds at most two 1 MiB blocks a processor in flight, plus the one it fills;
        // the rest of the slack covers the writer's own buffers.
        long bound = (2L * Environment.ProcessorCount + 8) << 20;
        long total = 2 * bound;
        // Random bytes do not compress, so the compressed count is a fair measure of the input passed on.
        var chunk = new byte[1 << 20];
        new Random(42).NextBytes(chunk);
        var sink = new CountingSink();
        long worstLag = 0;
        WrittenLayer layer;
        await using (var writer = new LayerWriter(sink, LayerCompressionSettings.Gzip(1)))
        {
            for (long written = 0; written < total; written += chunk.Length)
            {
                chunk[0] = (byte)(written >> 20); // every chunk differs
                await writer.WriteAsync(chunk, Ct);
                worstLag = Math.Max(worstLag, written + chunk.Length - sink.Count);
            }
            layer = await writer.CompleteAsync(Ct);
        }

        Assert.Equal(total, layer.UncompressedSize);
        Assert.Equal(sink.Count, layer.Size);
        Assert.True(worstLag <= bound, $"the destination fell {worstLag >> 20} MiB behind the input (bound {bound >> 20} MiB): the layer is being buffered");
    }

    /// <summary>Counts what is written and keeps none of it.</summary>
    private sealed class CountingSink : Stream
    {
        private long _count;
        public long Count => Interlocked.Read(ref _count);
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Count;
        public override long Position { get => Count; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Interlocked.Add(ref _count, count);
        public override void Write(ReadOnlySpan<byte> buffer) => Interlocked.Add(ref _count, buffer.Length);
    }
}
