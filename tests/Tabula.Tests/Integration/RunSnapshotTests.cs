using System.Formats.Tar;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// RUN on snapshots, against docker's legacy builder (overlay2, native diff) on the same base and Dockerfile: each
/// RUN layer the overlay snapshotter writes is docker's entry by entry, and the copy fallback gives docker's
/// filesystem — for the changes a size-and-mtime diff loses (a rewrite with the same size and mtime, a hard link
/// to a lower file), deletions, a replaced directory (opaque), a directory replaced by a file and back, device
/// nodes and fifos. Snapshots are made once per layer and removed by prune.
/// </summary>
public sealed class RunSnapshotTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Steps = """
        RUN printf AAAA > /f && touch -t 202001010000 /f
        RUN printf BBBB > /f && touch -t 202001010000 /f
        RUN ln /bin/busybox /bb-hard
        RUN rm /etc/shadow && rm -rf /home && mkdir /home && echo new > /home/new
        RUN mkdir /swap && echo a > /swap/a
        RUN rm -rf /swap && echo file > /swap
        RUN rm /swap && mkdir /swap && echo b > /swap/b
        RUN mknod /null2 c 1 3 && mkfifo /fifo && chmod 0600 /null2
        RUN echo unchanged > /dev/null
        """;

    [Fact]
    public async Task Overlay_run_layers_are_dockers_entry_by_entry()
    {
        await using var docker = await Docker.ConnectAsync(Ct);
        using var fixture = await RunFixture.CreateAsync(Ct);
        var (tabulaLayers, dockerLayers) = await BuildBothAsync(fixture, docker, "overlay");

        // The last RUN changes nothing: tabula commits an empty layer as BuildKit does, docker's legacy builder none.
        Assert.Empty(tabulaLayers[^1]);
        tabulaLayers = tabulaLayers.SkipLast(1).ToList();
        Assert.Equal(dockerLayers.Count, tabulaLayers.Count);
        // A directory removed and made again: docker's legacy differ writes an opaque marker, tabula a whiteout per
        // name the lower layers had there, as BuildKit's overlay differ does (the fixture's /home is empty, so none).
        for (int i = 1; i < tabulaLayers.Count; i++)
            TarDiff.AssertSame(Normalize(dockerLayers[i].Where(r => Path.GetFileName(r.Path) != ".wh..wh..opq")), Normalize(tabulaLayers[i]), $"docker's layer {i + 1}", $"tabula's layer {i + 1}");
        TarDiff.AssertSame(Normalize(Merge(dockerLayers)), Normalize(Merge(tabulaLayers)), "docker's filesystem", "tabula's filesystem");

        // What a size+mtime diff lost: the second rewrite, and the hard link's pair.
        Assert.Contains(tabulaLayers[2], r => r.Path == "f" && r.Sha256 == Sha256("BBBB"));
        Assert.Contains(tabulaLayers[3], r => r.Path == "bin/busybox" && r.Type == TarEntryType.HardLink && r.LinkTarget == "bb-hard");
        Assert.Contains(dockerLayers[4], r => r.Path == "home/.wh..wh..opq");
        Assert.DoesNotContain(tabulaLayers.SelectMany(l => l), r => Path.GetFileName(r.Path) == ".wh..wh..opq");
    }

    [Fact]
    public async Task The_copy_fallback_gives_dockers_filesystem()
    {
        await using var docker = await Docker.ConnectAsync(Ct);
        using var fixture = await RunFixture.CreateAsync(Ct);
        var (tabulaLayers, dockerLayers) = await BuildBothAsync(fixture, docker, "copy");

        TarDiff.AssertSame(Normalize(Merge(dockerLayers)), Normalize(Merge(tabulaLayers)), "docker's filesystem", "tabula's (copy) filesystem");
        Assert.Contains(tabulaLayers[2], r => r.Path == "f" && r.Sha256 == Sha256("BBBB"));
        Assert.Contains(tabulaLayers[3], r => r.Path == "bin/busybox" && r.Type == TarEntryType.HardLink && r.LinkTarget == "bb-hard");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(fixture.Store, "snapshots", "active")));
    }

    [Fact]
    public async Task Snapshots_are_made_once_shared_by_builds_and_runs_and_pruned_with_their_images()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"FROM {RunFixture.BaseImage}\nRUN echo one > /one\n");
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "build", "-q", "-t", "snap:1", context)).Code);
        var committed = Path.Combine(fixture.Store, "snapshots", "sha256");
        var snapshots = Directory.GetDirectories(committed).ToDictionary(d => d, Directory.GetCreationTimeUtc);
        Assert.Equal(2, snapshots.Count); // the base layer, and the RUN's upper directory kept as its snapshot
        var (dfCode, df, _) = await fixture.TabulaAsync(Ct, "df");
        Assert.Equal(0, dfCode);
        Assert.Matches(@"(?m)^Images\s+2\s", df);
        Assert.Matches(@"(?m)^Snapshots\s+2\s+\d", df);

        var again = fixture.Context("again", $"FROM {RunFixture.BaseImage}\nRUN echo two > /two\n");
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "build", "-q", "-t", "snap:2", again)).Code);
        var (runCode, seen, runError) = await fixture.TabulaAsync(Ct, "run", "--rm", "snap:2", "cat", "/two");
        Assert.True(runCode == 0, runError);
        Assert.Equal("two\n", seen);
        var after = Directory.GetDirectories(committed);
        Assert.Equal(3, after.Length);
        foreach (var (directory, created) in snapshots) Assert.Equal(created, Directory.GetCreationTimeUtc(directory)); // not unpacked again

        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "rmi", "snap:1")).Code);
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "prune")).Code);
        Assert.Equal(2, Directory.GetDirectories(committed).Length);
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "prune", "-a")).Code);
        Assert.Empty(Directory.GetDirectories(committed));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(fixture.Store, "snapshots", "active")));
    }

    /// <summary>Builds the base plus <see cref="Steps"/> with tabula (the given snapshotter) and with docker; each one's layers.</summary>
    private static async Task<(IReadOnlyList<IReadOnlyList<TarRecord>> Tabula, IReadOnlyList<IReadOnlyList<TarRecord>> Docker)> BuildBothAsync(
        RunFixture fixture, Docker docker, string snapshotter)
    {
        var baseTag = docker.NewTag("snapshot-base");
        var baseArchive = fixture.Temp.Combine("base.tar");
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "tag", RunFixture.BaseImage, baseTag)).Code);
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "save", "-o", baseArchive, baseTag)).Code);
        await docker.LoadAsync(baseArchive, Ct);

        var context = fixture.Context("ctx", $"FROM {baseTag}\n{Steps}");
        var cli = new TabulaCli(fixture.Store) { Environment = { ["TABULA_SNAPSHOTTER"] = snapshotter } };
        var build = await cli.RunAsync(["build", "-t", "snapshots:1", context], Ct);
        Assert.True(build.Succeeded, build.StandardError + build.StandardOutput);
        var tabulaArchive = fixture.Temp.Combine("tabula.tar");
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "save", "-o", tabulaArchive, "snapshots:1")).Code);

        var dockerTag = docker.NewTag("snapshot-run");
        await docker.BuildLegacyAsync(context, dockerTag, Ct);
        var dockerArchive = fixture.Temp.Combine("docker.tar");
        await docker.SaveAsync(dockerTag, dockerArchive, Ct);
        return (await DockerSaveArchive.ReadLayerListingsAsync(tabulaArchive, Ct), await DockerSaveArchive.ReadLayerListingsAsync(dockerArchive, Ct));
    }

    /// <summary>
    /// Times of entries the commands made now differ from build to build; those before 2021 (the fixture's, touch -t)
    /// must match. Whiteout and opaque markers carry no file: docker's legacy differ gives them 0600 or the
    /// directory's mode and owner, BuildKit's (and tabula's) 0 and root; only their names mean anything.
    /// </summary>
    internal static List<TarRecord> Normalize(IEnumerable<TarRecord> records)
        => records.Select(r => r.ModifiedUnixSeconds > 1_700_000_000 ? r with { ModifiedUnixSeconds = 0 } : r)
            .Select(r => Path.GetFileName(r.Path).StartsWith(".wh.", StringComparison.Ordinal) ? r with { Mode = 0, Uid = 0, Gid = 0, ModifiedUnixSeconds = 0 } : r)
            .ToList();

    /// <summary>The filesystem a stack of layers gives: whiteouts and opaque markers applied, hard links as their target's content.</summary>
    private static List<TarRecord> Merge(IReadOnlyList<IReadOnlyList<TarRecord>> layers)
    {
        var merged = new SortedDictionary<string, TarRecord>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            foreach (var record in layer)
            {
                string name = Path.GetFileName(record.Path), parent = Path.GetDirectoryName(record.Path) ?? "";
                string prefix = parent.Length == 0 ? "" : parent + "/";
                if (name == ".wh..wh..opq")
                {
                    foreach (var path in merged.Keys.Where(p => p.StartsWith(prefix, StringComparison.Ordinal) && p != parent && !layer.Any(l => l.Path == p)).ToList()) merged.Remove(path);
                    continue;
                }
                if (name.StartsWith(".wh.", StringComparison.Ordinal))
                {
                    string gone = prefix + name[4..];
                    foreach (var path in merged.Keys.Where(p => p == gone || p.StartsWith(gone + "/", StringComparison.Ordinal)).ToList()) merged.Remove(path);
                    continue;
                }
                if (merged.TryGetValue(record.Path, out var old) && (old.Type != TarEntryType.Directory || record.Type != TarEntryType.Directory))
                    foreach (var path in merged.Keys.Where(p => p.StartsWith(record.Path + "/", StringComparison.Ordinal)).ToList()) merged.Remove(path);
                merged[record.Path] = record.Type == TarEntryType.HardLink && merged.TryGetValue(record.LinkTarget!, out var target)
                    ? target with { Path = record.Path } : record;
            }
        }
        return [.. merged.Values];
    }

    internal static string Sha256(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
