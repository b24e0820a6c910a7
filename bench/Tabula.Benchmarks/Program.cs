using System.Diagnostics;
using System.Security.Cryptography;
using BenchmarkDotNet.Running;
using Tabula.Layers;

namespace Tabula.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- --job short</c> runs the BenchmarkDotNet hot loops (any BenchmarkDotNet arguments work);
/// <c>dotnet run -c Release -- throughput FILE.tar</c> times each hot loop once over a real tar (after a warm-up) and
/// prints MB/s, which is the quick way to compare with the floors of tools such as pigz and zstd on the same file;
/// <c>dotnet run -c Release -- memory [MiB]</c> checks that streaming a layer does not grow the managed heap
/// (<see cref="StreamingMemory"/>); <c>dotnet run -c Release -- plot CSV DIR</c> draws bench/scaling.sh's plots
/// (<see cref="ScalingPlots"/>).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["throughput", var file, ..])
        {
            await ThroughputAsync(await File.ReadAllBytesAsync(file), args.Length > 2 ? int.Parse(args[2]) : 2);
            return 0;
        }
        if (args is ["plot", var csv, var directory])
            return ScalingPlots.Run(csv, directory);
        if (args is ["memory", ..])
            return await StreamingMemory.RunAsync(args.Length > 1 ? long.Parse(args[1]) : 384);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static async Task ThroughputAsync(byte[] tar, int runs)
    {
        var cases = new (string Name, Func<Task<long>> Run)[]
        {
            ("sha256", () => Task.FromResult((long)SHA256.HashData(tar).Length)),
            ("crc32 (slice-by-8)", () => Task.FromResult((long)GzipCrc32.Compute(tar))),
            ("GZipStream level 6, one core", () => Task.FromResult(HotLoops.GzipStream(tar, 6))),
            ("ParallelGzipStream level 6", () => Task.FromResult(HotLoops.ParallelGzip(tar, 6))),
            ("zstd level 3, all cores", () => HotLoops.CompressAsync(tar, LayerCompressionSettings.Zstd())),
            ("LayerWriter gzip (sha256+gzip+sha256)", () => HotLoops.LayerWriterAsync(tar, LayerCompressionSettings.Gzip())),
            ("LayerWriter zstd", () => HotLoops.LayerWriterAsync(tar, LayerCompressionSettings.Zstd())),
            ("tar read (headers, content skipped by reading)", () => HotLoops.ReadTarAsync(tar)),
        };
        Console.WriteLine($"{tar.Length / 1e6:F1} MB input, {Environment.ProcessorCount} processors, best of {runs} after a warm-up");
        foreach (var (name, run) in cases)
        {
            long output = await run();
            double best = double.MaxValue, cpu = 0;
            for (int i = 0; i < runs; i++)
            {
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                output = await run();
                double seconds = watch.Elapsed.TotalSeconds;
                if (seconds < best) { best = seconds; cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds; }
            }
            // CPU seconds over wall seconds: how many cores the loop kept busy.
            Console.WriteLine($"{name,-48} {best,8:F3} s {tar.Length / best / 1e6,8:F0} MB/s  {cpu / best,5:F2} cores   out {output}");
        }
    }
}
