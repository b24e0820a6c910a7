using System.Formats.Tar;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// COPY, ADD and RUN over the busybox fixture, built by tabula and by docker's legacy builder from the same base
/// and context: each layer the steps add must hold the same entries with the same type, mode, owner, size, link
/// target and content. What the two builders are known to write differently is set aside, each for its reason:
/// the mtimes of directories a step creates or updates (the build time for docker; issue item 1, not this class's),
/// every mtime in a RUN layer (each run writes its own), and the mode and mtime of whiteouts (tabula writes them as
/// BuildKit's differ does: 0000 and 1970-01-01; docker's legacy builder: 0600 and the build time).
/// </summary>
public sealed class DockerCopyRunEquivalenceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Copy_add_and_run_layers_equal_dockers_entry_by_entry()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        await using var docker = await Docker.ConnectAsync(Ct);
        var baseTag = await fixture.ShareBaseWithDockerAsync(docker, Ct);
        var context = fixture.Context("copy-run", $"""
            FROM {baseTag}
            COPY tree/ /app/
            COPY --chown=1:2 tree/top.txt /owned
            COPY tree/sub /etc/sub/
            ADD bundle.tar /opt/
            RUN rm /etc/passwd- && mkdir -p /made/deep && echo hi > /made/deep/f && chmod 0750 /made && ln -s deep/f /made/l
            """, ("tree/top.txt", "top\n"), ("tree/sub/inner.txt", "inner\n"), ("tree/sub/more/leaf", "leaf\n"));
        File.SetUnixFileMode(Path.Combine(context, "tree/top.txt"), (UnixFileMode)0b111_101_000);
        File.CreateSymbolicLink(Path.Combine(context, "tree/link"), "sub/inner.txt");
        await WriteBundleAsync(Path.Combine(context, "bundle.tar"));

        var tag = docker.NewTag("copy-run");
        await fixture.BuildAsync(context, tag, Ct);
        var tabulaArchive = fixture.Temp.Combine("tabula.tar");
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "save", "-o", tabulaArchive, tag)).Code);
        var dockerTag = docker.NewTag("copy-run-reference");
        await docker.BuildLegacyAsync(context, dockerTag, Ct);
        var dockerArchive = fixture.Temp.Combine("docker.tar");
        await docker.SaveAsync(dockerTag, dockerArchive, Ct);

        var ours = await DockerSaveArchive.ReadLayerListingsAsync(tabulaArchive, Ct);
        var theirs = await DockerSaveArchive.ReadLayerListingsAsync(dockerArchive, Ct);
        Assert.Equal(theirs.Count, ours.Count);
        string[] steps = ["COPY tree/ /app/", "COPY --chown", "COPY tree/sub /etc/sub/", "ADD bundle.tar /opt/", "RUN"];
        for (int i = 0; i < steps.Length; i++)
        {
            int layer = ours.Count - steps.Length + i;
            bool run = i == steps.Length - 1;
            TarDiff.AssertSame(Comparable(theirs[layer], run), Comparable(ours[layer], run), $"docker's layer of {steps[i]}", $"tabula's layer of {steps[i]}");
        }
    }

    /// <summary>An archive for ADD to extract: a directory, files with their own modes, owners and times, a symlink.</summary>
    private static async Task WriteBundleAsync(string path)
    {
        await using var file = File.Create(path);
        await using var writer = new TarWriter(file, TarEntryFormat.Pax);
        var time = new DateTimeOffset(2023, 5, 6, 7, 8, 9, TimeSpan.Zero);
        await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "pkg/") { Mode = (UnixFileMode)0b111_101_101, ModificationTime = time, Uid = 5, Gid = 6 }, Ct);
        var data = new PaxTarEntry(TarEntryType.RegularFile, "pkg/data") { Mode = (UnixFileMode)0b110_100_000, ModificationTime = time, Uid = 7, Gid = 8, DataStream = new MemoryStream("data\n"u8.ToArray()) };
        await writer.WriteEntryAsync(data, Ct);
        await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "pkg/link") { LinkName = "data", ModificationTime = time }, Ct);
    }

    private static List<TarRecord> Comparable(IReadOnlyList<TarRecord> layer, bool run) =>
        layer.Select(r => Path.GetFileName(r.Path).StartsWith(".wh.", StringComparison.Ordinal)
                ? r with { Mode = 0, ModifiedUnixSeconds = 0 }
                : r.Type == TarEntryType.Directory || run ? r with { ModifiedUnixSeconds = 0 } : r)
            .ToList();
}
