using System.Diagnostics;
using System.IO.Compression;
using System.IO.Pipes;
using System.Security.Cryptography;
using Tabula.Layers;
using Tabula.Oci;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Layers;

public class ParallelGzipTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const int SmallBlock = 4096;

    [Fact]
    public void GzipCrc32_has_the_check_value_of_the_gzip_polynomial()
        => Assert.Equal(0xCBF43926u, GzipCrc32.Compute("123456789"u8));

    [Fact]
    public void GzipCrc32_of_pieces_combines_to_the_crc_of_the_whole()
    {
        var data = Data(100_003, seed: 1, compressible: false);
        uint whole = GzipCrc32.Compute(data);
        Assert.Equal(whole, GzipCrc32.Append(GzipCrc32.Compute(data.AsSpan(0, 777)), data.AsSpan(777)));
        foreach (int split in new[] { 0, 1, 7, 8, 9, 4096, 50_000, 100_002, 100_003 })
            Assert.Equal(whole, GzipCrc32.Combine(GzipCrc32.Compute(data.AsSpan(0, split)), GzipCrc32.Compute(data.AsSpan(split)), data.Length - split));
    }

    [Fact]
    public void GzipCrc32_combines_over_lengths_beyond_four_gigabytes()
    {
        // CRCs of runs of zeros built by doubling with Combine agree with the direct CRC, and stay associative past 4 GiB.
        Assert.Equal(GzipCrc32.Compute(new byte[(1 << 20) + 3]), CrcOfZeros((1 << 20) + 3));
        uint a = GzipCrc32.Compute(Data(1000, seed: 2, compressible: false));
        long big = (5L << 30) + 3;
        Assert.Equal(GzipCrc32.Combine(a, CrcOfZeros(big), big),
            GzipCrc32.Combine(GzipCrc32.Combine(a, CrcOfZeros(3), 3), CrcOfZeros(5L << 30), 5L << 30));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(SmallBlock - 1)]
    [InlineData(SmallBlock)]
    [InlineData(SmallBlock + 1)]
    [InlineData(3 * SmallBlock)]
    [InlineData(3 * SmallBlock + 17)]
    [InlineData(200_000)]
    public void Decompresses_to_exactly_the_input_at_block_boundaries(int size)
    {
        foreach (bool compressible in new[] { true, false })
        {
            var data = Data(size, seed: size, compressible);
            var gz = Compress(data, level: 6, threads: 2, blockSize: SmallBlock);
            Assert.Equal(data, Gunzip(gz));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(ParallelGzipStream.DefaultBlockSize)]
    [InlineData(ParallelGzipStream.DefaultBlockSize + 1)]
    [InlineData(5 * ParallelGzipStream.DefaultBlockSize / 2)]
    public void Default_block_size_round_trips(int size)
    {
        var data = Data(size, seed: 7, compressible: true);
        Assert.Equal(data, Gunzip(Compress(data, level: 6, threads: 0, blockSize: ParallelGzipStream.DefaultBlockSize)));
    }

    [Fact]
    public void The_probe_tells_data_without_repeats_from_data_with_them()
    {
        var encodedRandom = System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(Data(786_432, seed: 3, compressible: false)));
        Assert.True(MatchProbe.FindsFewRepeats(encodedRandom));
        Assert.True(MatchProbe.FindsFewRepeats(Data(ParallelGzipStream.DefaultBlockSize, seed: 4, compressible: false)));
        Assert.False(MatchProbe.FindsFewRepeats(Data(ParallelGzipStream.DefaultBlockSize, seed: 5, compressible: true)));
        Assert.False(MatchProbe.FindsFewRepeats(new byte[ParallelGzipStream.DefaultBlockSize]));
        Assert.False(MatchProbe.FindsFewRepeats(Data(1000, seed: 6, compressible: true)));
        Assert.False(MatchProbe.FindsFewRepeats([]));
    }

    [Fact]
    public void Blocks_without_repeats_come_out_no_larger_than_zlib_makes_them_and_round_trip()
    {
        // Half a block of text, then base64 of random bytes: one block searched for repeats, the others Huffman-coded alone.
        var text = Data(ParallelGzipStream.DefaultBlockSize, seed: 8, compressible: true);
        var encoded = System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(Data(3 * ParallelGzipStream.DefaultBlockSize, seed: 9, compressible: false)));
        var data = text.Concat(encoded).ToArray();

        var gz = Compress(data, level: 6, threads: 2, blockSize: ParallelGzipStream.DefaultBlockSize);

        Assert.Equal(data, Gunzip(gz));
        var zlib = new MemoryStream();
        using (var gzip = new GZipStream(zlib, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(data);
        Assert.InRange(gz.Length, 0, zlib.Length * 101 / 100);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(9)]
    public void Every_level_round_trips(int level)
    {
        var data = Data(3 * SmallBlock + 5, seed: level, compressible: true);
        Assert.Equal(data, Gunzip(Compress(data, level, threads: 3, blockSize: SmallBlock)));
    }

    [Fact]
    public void Output_is_the_same_for_any_thread_count_and_any_write_sizes()
    {
        var data = Data(40 * SmallBlock + 123, seed: 3, compressible: true);
        var reference = Compress(data, level: 6, threads: 1, blockSize: SmallBlock);
        foreach (int threads in new[] { 2, 3, 4, 8, 0 })
            Assert.Equal(reference, Compress(data, level: 6, threads, blockSize: SmallBlock));
        foreach (int chunk in new[] { 1, 511, 4096, 10_000 })
            Assert.Equal(reference, Compress(data, level: 6, threads: 2, blockSize: SmallBlock, chunk));
    }

    [Fact]
    public async Task Async_writes_give_the_same_bytes_as_sync_writes()
    {
        var data = Data(20 * SmallBlock + 9, seed: 4, compressible: true);
        var output = new MemoryStream();
        await using (var gzip = new ParallelGzipStream(output, 6, leaveOpen: true, threads: 2, blockSize: SmallBlock))
            for (int at = 0; at < data.Length; at += 3000)
                await gzip.WriteAsync(data.AsMemory(at, Math.Min(3000, data.Length - at)), Ct);
        Assert.Equal(Compress(data, level: 6, threads: 1, blockSize: SmallBlock), output.ToArray());
    }

    [Fact]
    public void Header_is_fixed_and_the_trailer_holds_crc_and_size()
    {
        var data = Data(10_000, seed: 5, compressible: true);
        var gz = Compress(data, level: 6, threads: 2, blockSize: SmallBlock);
        Assert.Equal(new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff }, gz[..10]);
        Assert.Equal(GzipCrc32.Compute(data), BitConverter.ToUInt32(gz, gz.Length - 8));
        Assert.Equal((uint)data.Length, BitConverter.ToUInt32(gz, gz.Length - 4));
        Assert.Equal(new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0 }, Compress([], 6, 1, SmallBlock));
    }

    [Fact]
    public void The_gzip_tool_accepts_the_output()
    {
        var gzip = Requirements.Tool("gzip");
        foreach (int size in new[] { 0, 1, 3 * SmallBlock, 100_001 })
        {
            var data = Data(size, seed: size + 11, compressible: true);
            string file = Path.Combine(Path.GetTempPath(), $"tabula-pgz-{Guid.NewGuid():N}.gz");
            try
            {
                File.WriteAllBytes(file, Compress(data, 6, threads: 2, blockSize: SmallBlock));
                var test = Process.Start(new ProcessStartInfo(gzip, ["-t", file]) { RedirectStandardError = true })!;
                string errors = test.StandardError.ReadToEnd();
                test.WaitForExit();
                Assert.True(test.ExitCode == 0, $"gzip -t failed for {size} bytes: {errors}");
                var cat = Process.Start(new ProcessStartInfo(gzip, ["-dc", file]) { RedirectStandardOutput = true })!;
                var decompressed = new MemoryStream();
                cat.StandardOutput.BaseStream.CopyTo(decompressed);
                cat.WaitForExit();
                Assert.Equal(data, decompressed.ToArray());
            }
            finally { File.Delete(file); }
        }
    }

    [Fact]
    public async Task Zstd_output_is_the_same_for_any_thread_count()
    {
        var data = Data(24 << 20, seed: 9, compressible: true);
        byte[]? reference = null;
        foreach (int threads in new[] { 1, 2, 4 })
        {
            var output = new MemoryStream();
            await using (var zstd = ArchiveStreams.OpenCompressing(output, LayerCompressionSettings.Zstd(), leaveOpen: true, threads))
                await zstd.WriteAsync(data, Ct);
            var bytes = output.ToArray();
            if (reference is null)
            {
                reference = bytes;
                await using var back = ArchiveStreams.OpenDecompressing(new MemoryStream(bytes), LayerCompression.Zstd, leaveOpen: false);
                var roundTrip = new MemoryStream();
                await back.CopyToAsync(roundTrip, Ct);
                Assert.True(data.AsSpan().SequenceEqual(roundTrip.ToArray()));
            }
            else Assert.True(reference.AsSpan().SequenceEqual(bytes), $"zstd output with {threads} threads differs from 1 thread");
        }
    }

    [Fact]
    public void The_bundled_native_zstd_loads_here()
    {
        Assert.True(NativeZstd.IsUsable, $"the native zstd {NativeZstd.PinnedVersion} bundled with ZstdNet did not load; layers fall back to the managed compressor");
    }

    /// <summary>The native and the managed compressor are interchangeable only because they write the same bytes.</summary>
    [Fact]
    public async Task Native_and_managed_zstd_write_the_same_bytes()
    {
        Assert.SkipUnless(NativeZstd.IsUsable, "the native zstd did not load");
        var data = Data(24 << 20, seed: 11, compressible: true);
        var native = new MemoryStream();
        var managed = new MemoryStream();
        await using (var zstd = ArchiveStreams.OpenZstd(native, level: 3, leaveOpen: true, threads: 2))
            await zstd.WriteAsync(data, Ct);
        await using (var zstd = ArchiveStreams.OpenZstd(managed, level: 3, leaveOpen: true, threads: 2, allowNative: false))
            await zstd.WriteAsync(data, Ct);
        Assert.Equal(managed.Length, native.Length);
        Assert.True(managed.ToArray().AsSpan().SequenceEqual(native.ToArray()), "native and managed zstd outputs differ");
    }

    /// <summary>
    /// Several gigabytes (past the 4 GiB where ISIZE wraps) streamed through the compressor and a gunzip on the other
    /// end of a pipe, compared by hash: nothing holds the data. Takes about half a minute on two cores (more on a
    /// busy machine), hence the trait; it still runs by default.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Gigabytes_stream_through_and_decompress_to_the_same_hash()
    {
        const long total = (4L << 30) + 12_345;
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        var pool = Data(1 << 20, seed: 42, compressible: true);

        var produce = Task.Run(async () =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var gzip = new ParallelGzipStream(server, level: 1, leaveOpen: true))
            {
                ulong state = 0x9E3779B97F4A7C15;
                var chunk = new byte[256 << 10];
                for (long written = 0; written < total;)
                {
                    // Runs of the pool at pseudo-random offsets: compressible, never periodic.
                    int filled = 0;
                    while (filled < chunk.Length)
                    {
                        state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                        int offset = (int)(state % (ulong)(pool.Length - 8192));
                        int run = Math.Min(chunk.Length - filled, 512 + (int)((state >> 40) % 7680));
                        pool.AsSpan(offset, run).CopyTo(chunk.AsSpan(filled));
                        filled += run;
                    }
                    int n = (int)Math.Min(chunk.Length, total - written);
                    hash.AppendData(chunk, 0, n);
                    await gzip.WriteAsync(chunk.AsMemory(0, n), Ct);
                    written += n;
                }
            }
            server.Dispose();
            return hash.GetHashAndReset();
        }, Ct);

        var consume = Task.Run(async () =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using var gunzip = new GZipStream(client, CompressionMode.Decompress);
            var buffer = new byte[1 << 20];
            long count = 0;
            int n;
            while ((n = await gunzip.ReadAsync(buffer, Ct)) > 0) { hash.AppendData(buffer, 0, n); count += n; }
            return (hash.GetHashAndReset(), count);
        }, Ct);

        var (decompressedHash, decompressedCount) = await consume;
        var inputHash = await produce;
        Assert.Equal(total, decompressedCount);
        Assert.Equal(Convert.ToHexString(inputHash), Convert.ToHexString(decompressedHash));
    }

    private static uint CrcOfZeros(long n)
    {
        uint crc = 0; long length = 0;
        uint power = GzipCrc32.Compute(new byte[1]); long powerLength = 1;
        for (long rest = n; rest > 0; rest >>= 1)
        {
            if ((rest & 1) != 0) { crc = GzipCrc32.Combine(crc, power, powerLength); length += powerLength; }
            power = GzipCrc32.Combine(power, power, powerLength); powerLength *= 2;
        }
        return crc;
    }

    internal static byte[] Compress(byte[] data, int level, int threads, int blockSize, int chunk = int.MaxValue)
    {
        var output = new MemoryStream();
        using (var gzip = new ParallelGzipStream(output, level, leaveOpen: true, threads, blockSize))
            for (int at = 0; at < data.Length; at += chunk)
                gzip.Write(data, at, Math.Min(chunk, data.Length - at));
        return output.ToArray();
    }

    internal static byte[] Gunzip(byte[] gz)
    {
        using var gunzip = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        var output = new MemoryStream();
        gunzip.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Random bytes, or text-like bytes (a small alphabet with repeats) that compress about 3:1.</summary>
    internal static byte[] Data(int size, int seed, bool compressible)
    {
        var random = new Random(seed);
        var data = new byte[size];
        if (!compressible) { random.NextBytes(data); return data; }
        const string alphabet = "etaoin shrdlu\n/.-_0123456789";
        for (int i = 0; i < size;)
        {
            if (i > 64 && random.Next(4) == 0)
            {
                int back = random.Next(1, Math.Min(i, 2000)), run = Math.Min(size - i, random.Next(4, 40));
                for (int k = 0; k < run; k++, i++) data[i] = data[i - back];
            }
            else data[i++] = (byte)alphabet[random.Next(alphabet.Length)];
        }
        return data;
    }
}
