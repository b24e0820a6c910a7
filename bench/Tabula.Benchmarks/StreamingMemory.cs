using Tabula.Layers;

namespace Tabula.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- memory [MiB]</c>: streams a layer of that many MiB (384 by default) through
/// <see cref="LayerWriter"/> (gzip level 1) and reports how much the managed heap grew. Exits 1 when it grew by
/// 64 MiB or more, since DESIGN §3 says peak memory must not grow with layer size. A measurement of the
/// machine's GC, so it lives here and not in the unit tests (which check the bounded lag instead).
/// </summary>
public static class StreamingMemory
{
    private const long AllowedGrowth = 64L << 20;

    public static async Task<int> RunAsync(long mebibytes)
    {
        long total = mebibytes << 20;
        var chunk = new byte[1 << 20];
        new Random(42).NextBytes(chunk.AsSpan(0, chunk.Length / 2)); // half noise, half zeros: compressible but not trivially
        var sink = new HotLoops.CountingNull();

        GC.Collect();
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = baseline;
        await using (var writer = new LayerWriter(sink, LayerCompressionSettings.Gzip(1)))
        {
            for (long written = 0; written < total; written += chunk.Length)
            {
                chunk[0] = (byte)(written >> 20); // every chunk differs
                await writer.WriteAsync(chunk);
                if ((written >> 20) % 16 == 0) peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
            }
            await writer.CompleteAsync(CancellationToken.None);
        }

        long growth = peak - baseline;
        Console.WriteLine($"streamed {mebibytes} MiB into {sink.Count >> 20} MiB of gzip; managed memory grew by {growth >> 20} MiB (allowed: under {AllowedGrowth >> 20} MiB)");
        return growth < AllowedGrowth ? 0 : 1;
    }
}
