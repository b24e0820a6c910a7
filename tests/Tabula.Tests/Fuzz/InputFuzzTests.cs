using System.Diagnostics;
using System.Text;
using Tabula.Archives;
using Tabula.Content;
using Tabula.Dockerfile;
using Tabula.Dockerfile.Expansion;
using Tabula.Layers;
using Tabula.Oci;
using Tabula.Tests.Archives;

namespace Tabula.Tests.Fuzz;

/// <summary>
/// Seeded, time-bounded fuzzing of what Tabula reads from outside: Dockerfiles (parse and word expansion), manifests,
/// indexes and configs, tar headers (both tar readers), and whole archives loaded into a store. Every input must give a
/// result or a typed error (which the CLI prints as one line) — never another exception — and a failed load must leave the
/// store's index.json byte for byte as it was. Starts from the corpus of inputs that once crashed (see
/// <see cref="HostileArchives"/>). <c>TABULA_FUZZ_SECONDS</c> (default 2 per target) and <c>TABULA_FUZZ_SEED</c>
/// (default fixed, so a CI failure reproduces) tune a run; the count of cases is printed.
/// </summary>
public sealed class InputFuzzTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TimeSpan Budget => TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("TABULA_FUZZ_SECONDS"), out var s) ? s : 2);
    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("TABULA_FUZZ_SEED"), out var s) ? s : 20261203;

    /// <summary>Errors that are answers to bad input (the CLI prints them as one line); anything else is a bug.</summary>
    private static bool IsTyped(Exception e) => e is DockerfileException or ShellExpansionException or InvalidDataException or LayerFormatException
        or FormatException or IOException or ReferenceFormatException or NotSupportedException;

    private static void Report(string target, int cases, List<string> failures)
    {
        TestContext.Current.TestOutputHelper?.WriteLine($"{target}: {cases} cases, seed {Seed}, {failures.Count} failures");
        Assert.True(failures.Count == 0, $"{target}: {failures.Count} of {cases} cases failed (seed {Seed}):\n{string.Join("\n", failures.Take(5))}");
        Assert.True(cases > 0);
    }

    private static void Check(Action run, string input, List<string> failures)
    {
        try { run(); }
        catch (Exception e) when (IsTyped(e))
        {
            // An answer. (A message may quote input with a newline in it: the CLI prints every message on one line.)
        }
        catch (Exception e)
        {
            failures.Add($"{e.GetType().Name} for {Show(input)}: {e.Message}");
        }
    }

    private static string Show(string input) => input.Length <= 120 ? input.ReplaceLineEndings("\\n") : input[..120].ReplaceLineEndings("\\n") + "…";

    private static readonly string[] DockerfileSeeds =
    [
        "ARG X=1\n",
        "FROM scratch\nENV A=" + string.Concat(Enumerable.Repeat("${B:-", 10_000)) + "\n",
        "FROM scratch\nADD alpine-minirootfs.tgz /\nCMD [\"/bin/sh\"]\n",
        "# syntax=docker/dockerfile:1\nARG V=3\nFROM alpine:${V} AS build\nRUN <<EOF\necho hi\nEOF\nCOPY --from=build --chown=1:1 /a /b\n",
        "FROM scratch\nENV A=${B:-${C:+x}} D=\"$A\" E='${F}'\nLABEL a=${A/x/y} b=${A%%.*}\nWORKDIR /${A#*/}\n",
        "FROM scratch\nHEALTHCHECK --interval=5s CMD [\"true\"]\nEXPOSE 80/tcp\nONBUILD RUN x\nSHELL [\"/bin/sh\",\"-c\"]\n",
        "FROM scratch\\\n  AS s\nCOPY <<A <<B /x/\na\nA\nb\nB\n",
    ];

    private static readonly string[] Fragments = ["${", "}", ":-", ":+", "$", "\\", "\n", "\"", "'", "<<EOF\n", "EOF\n", "[", "]", "=", " ", "#", "%%", "/", "\0", "\\\n", "${A:?", "FROM ", "ARG ", "--from=", "\t"];

    private static string Mutate(Random random, string seed)
    {
        var text = new StringBuilder(seed);
        int edits = random.Next(1, 6);
        for (int i = 0; i < edits; i++)
        {
            int at = random.Next(text.Length + 1);
            switch (random.Next(4))
            {
                case 0: text.Insert(at, Fragments[random.Next(Fragments.Length)]); break;
                case 1 when text.Length > 0 && at < text.Length: text.Remove(at, Math.Min(random.Next(1, 8), text.Length - at)); break;
                case 2 when text.Length > 0 && at < text.Length: text[at] = (char)random.Next(1, 128); break;
                default: text.Insert(at, string.Concat(Enumerable.Repeat(Fragments[random.Next(Fragments.Length)], random.Next(1, 300)))); break;
            }
        }
        return text.ToString();
    }

    [Fact]
    public void DockerfilesParseAndExpandOrFailWithATypedError()
    {
        var random = new Random(Seed);
        var failures = new List<string>();
        var variables = VariableMap.FromAssignments(["A=a.b/c", "B=", "C=x"]);
        var lexer = new ShellLexer('\\');
        var clock = Stopwatch.StartNew();
        int cases = 0;
        for (; clock.Elapsed < Budget || cases < DockerfileSeeds.Length; cases++)
        {
            var text = cases < DockerfileSeeds.Length ? DockerfileSeeds[cases] : Mutate(random, DockerfileSeeds[random.Next(DockerfileSeeds.Length)]);
            Check(() => DockerfileParser.Parse(text), text, failures);
            foreach (var line in text.Split('\n').Take(20))
                Check(() => lexer.ProcessWords(line, variables), line, failures);
        }
        Report("Dockerfile", cases, failures);
    }

    private static readonly string[] JsonSeeds =
    [
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" + new string('a', 64) + "\",\"size\":2},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:" + new string('b', 64) + "\",\"size\":3,\"annotations\":{\"k\":\"v\"}}]}",
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + new string('c', 64) + "\",\"size\":4,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}",
        "{\"created\":\"2024-01-01T00:00:00Z\",\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"A=b\"],\"Cmd\":[\"/bin/sh\"],\"Healthcheck\":{\"Interval\":5}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + new string('d', 64) + "\"]},\"history\":[{\"created_by\":\"x\",\"empty_layer\":true}]}",
        "{\"schemaVersion\":2}", "{\"manifests\":[null]}", "{\"rootfs\":null}", "null", "[]",
    ];

    private static readonly string[] JsonFragments = ["null", "{}", "[]", "\"\"", "-1", "1e400", "99999999999999999999", "\"sha256:\"", ",", ":", "\"x\":", "true", "\\u0000", "\"2024-13-45T99:99:99Z\""];

    [Fact]
    public void ManifestsIndexesAndConfigsParseOrFailWithATypedError()
    {
        var random = new Random(Seed);
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        int cases = 0;
        for (; clock.Elapsed < Budget || cases < JsonSeeds.Length; cases++)
        {
            string text;
            if (cases < JsonSeeds.Length) text = JsonSeeds[cases];
            else
            {
                var builder = new StringBuilder(JsonSeeds[random.Next(JsonSeeds.Length)]);
                for (int i = random.Next(1, 4); i > 0; i--)
                {
                    int at = random.Next(builder.Length + 1);
                    if (random.Next(2) == 0 && at < builder.Length) builder.Remove(at, Math.Min(random.Next(1, 12), builder.Length - at));
                    builder.Insert(Math.Min(at, builder.Length), JsonFragments[random.Next(JsonFragments.Length)]);
                }
                text = builder.ToString();
            }
            var bytes = Encoding.UTF8.GetBytes(text);
            Check(() => OciJson.DeserializeManifest(bytes), text, failures);
            Check(() => OciJson.DeserializeIndex(bytes), text, failures);
            Check(() => OciJson.DeserializeConfig(bytes), text, failures);
            Check(() => OciJson.DetectManifestMediaType(bytes), text, failures);
        }
        Report("JSON", cases, failures);
    }

    private static byte[] MutateBytes(Random random, byte[] seed, int headerBytes)
    {
        var bytes = (byte[])seed.Clone();
        for (int i = random.Next(1, 8); i > 0; i--)
        {
            // Mostly in the headers (the first blocks), where the parsing is.
            int at = random.Next(2) == 0 ? random.Next(Math.Min(headerBytes, bytes.Length)) : random.Next(bytes.Length);
            bytes[at] = random.Next(3) switch { 0 => (byte)random.Next(256), 1 => (byte)'9', _ => 0 };
        }
        if (random.Next(8) == 0) bytes = bytes[..random.Next(bytes.Length)];
        return bytes;
    }

    [Fact]
    public async Task TarHeadersReadOrFailWithATypedError()
    {
        var random = new Random(Seed);
        var failures = new List<string>();
        byte[][] seeds =
        [
            HostileArchives.Layer(),
            HostileArchives.Layer(new Dictionary<string, string> { ["path"] = "a/long/name", ["mtime"] = "1.5", ["uid"] = "1000" }),
            HostileArchives.Layer(endBlocks: false),
        ];
        var clock = Stopwatch.StartNew();
        int cases = 0;
        for (; clock.Elapsed < Budget; cases++)
        {
            var tar = MutateBytes(random, seeds[random.Next(seeds.Length)], 1536);
            var label = Convert.ToHexString(tar.AsSpan(0, Math.Min(60, tar.Length)));
            try { await LayerStatsCounter.CountAsync(new MemoryStream(tar), Ct); }
            catch (Exception e) when (IsTyped(e) || e is ArgumentException) { } // LayerIngest takes ArgumentException from the BCL reader as "not a tar"
            catch (Exception e) { failures.Add($"counter: {e.GetType().Name} for {label}: {e.Message}"); }
            try
            {
                var reader = new TarArchiveReader(new MemoryStream(tar));
                while (await reader.NextAsync(Ct) is not null) await reader.DrainAsync(Ct);
            }
            catch (Exception e) when (IsTyped(e)) { }
            catch (Exception e) { failures.Add($"reader: {e.GetType().Name} for {label}: {e.Message}"); }
        }
        Report("tar headers", cases, failures);
    }

    [Fact]
    public async Task ArchivesLoadOrFailLeavingTheStoreUnchanged()
    {
        var random = new Random(Seed);
        var failures = new List<string>();
        using var fixture = new ArchiveFixture();
        var (store, references) = fixture.NewStore("target");
        var existing = await fixture.AddSimpleImageAsync("existing:1", "existing");
        await references.TagAsync(ImageReference.Parse("existing:1"), existing, Ct);
        var index = Path.Combine(store.Root, "index.json");
        var before = await File.ReadAllBytesAsync(index, Ct);
        var seeds = HostileArchives.Corpus().Select(c => c.Archive).Append(HostileArchives.DockerArchive(HostileArchives.Config(HostileArchives.Layer()).ToJsonString(), HostileArchives.Layer())).ToArray();
        var path = fixture.PathFor("fuzzed.tar");
        var clock = Stopwatch.StartNew();
        int cases = 0, loaded = 0;
        for (; clock.Elapsed < Budget || cases < seeds.Length; cases++)
        {
            var archive = cases < seeds.Length ? seeds[cases] : MutateBytes(random, seeds[random.Next(seeds.Length)], seeds[0].Length);
            await File.WriteAllBytesAsync(path, archive, Ct);
            try
            {
                await ArchiveLoader.LoadAsync(path, store, references, null, Ct);
                loaded++;
                // A load that succeeded may name images: put the names back for the next case.
                await File.WriteAllBytesAsync(index, before, Ct);
                continue;
            }
            catch (Exception e) when (IsTyped(e))
            {
            }
            catch (Exception e)
            {
                failures.Add($"case {cases}: {e.GetType().Name}: {e.Message}");
            }
            var after = await File.ReadAllBytesAsync(index, Ct);
            if (!before.SequenceEqual(after)) failures.Add($"case {cases}: index.json changed by a failed load");
            if (Directory.EnumerateFiles(store.IngestPath).Any()) failures.Add($"case {cases}: ingest files left");
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"archives: {loaded} of {cases} loaded");
        Report("archives", cases, failures);
    }
}
