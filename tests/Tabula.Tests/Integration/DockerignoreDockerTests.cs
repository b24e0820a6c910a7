using Tabula.Layers;
using Tabula.Tests.Build;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// <c>.dockerignore</c> and hard links in the context, where docker's legacy builder and BuildKit agree: the layers
/// of <c>DOCKER_BUILDKIT=0 docker build</c> and of tabula are compared entry by entry (type, mode, owner, size,
/// mtime, link target, content).
/// </summary>
public sealed class DockerignoreDockerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Each case: the context's files (path, content; a "=&gt;" content makes a hard link to that path), its
    /// .dockerignore, its Dockerfile, and the directories that docker recreates instead of copying. Those are the
    /// excluded directories kept as parents of a re-included file: docker's CLI leaves their entries out of the
    /// context tar, so the daemon makes them 0755 at the time of the build, where BuildKit sends (and tabula
    /// copies) the directory's own mtime; their mtime is not compared.
    /// </summary>
    public static TheoryData<string, string[], string, string, string[]> Cases() => new()
    {
        { "ignore-file-patterns", ["foo", "bar", "baz", "bay"], "ba*\nDockerfile\n!bay\n.dockerignore\n", "FROM scratch\nCOPY . /\n", [] },
        { "re-included-child-as-source", ["folder1/file1", "folder1/file2", "folder2/f"], "**\n!folder1/file1\n",
            "FROM scratch\nCOPY folder1 /\nCOPY . /\n", ["folder1"] },
        { "excluded-dirs-keep-only-parents", ["dir/sub/keep", "dir/sub/y", "dir/other/x", "dir/empty/z"], "dir\n!dir/sub/keep\n!dir/empty/nothing\n",
            "FROM scratch\nCOPY . /\n", ["dir", "dir/sub"] },
        { "hard-links", ["dir/a", "dir/sub/b=>dir/a", "c=>dir/a", "d"], "", "FROM scratch\nCOPY . /\nCOPY dir /\n", [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Layers_equal_the_legacy_builders_entry_by_entry(string name, string[] files, string dockerignore, string dockerfile, string[] recreated)
    {
        await using var docker = await Docker.ConnectAsync(Ct);
        using var h = new BuildHarness();
        h.File("Dockerfile", dockerfile);
        if (dockerignore.Length > 0) h.File(".dockerignore", dockerignore);
        foreach (var file in files)
        {
            var parts = file.Split("=>");
            if (parts.Length == 2)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(h.Files.Combine(parts[0]))!);
                Posix.Link(h.Files.Combine(parts[1]), h.Files.Combine(parts[0]));
            }
            else h.File(file, "content of " + file);
        }
        // Set times a second apart and in the past, so a directory docker recreates could not match by chance.
        var time = new DateTime(2023, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        foreach (var path in Directory.EnumerateFileSystemEntries(h.ContextDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Reverse())
            File.SetLastWriteTimeUtc(path, time = time.AddSeconds(1));

        var tag = docker.NewTag("dockerignore-" + name);
        await docker.BuildLegacyAsync(h.ContextDirectory, tag, Ct);
        var archive = Path.Combine(h.ContextDirectory, "..", Path.GetFileName(h.ContextDirectory) + "-docker.tar");
        try
        {
            await docker.SaveAsync(tag, archive, Ct);
            var dockerLayers = await DockerSaveArchive.ReadLayerListingsAsync(archive, Ct);

            await h.BuildAsync(h.Options("") with { DockerfileText = null, Timestamp = null });
            var image = await h.LoadAsync("test:latest");
            Assert.Equal(dockerLayers.Count, image.Layers.Count);
            for (int i = 0; i < dockerLayers.Count; i++)
            {
                await using var tar = await image.Layers[i].OpenUncompressedAsync(Ct);
                using var buffered = new MemoryStream();
                await tar.CopyToAsync(buffered, Ct);
                buffered.Position = 0;
                var ours = await TarListing.ReadAsync(buffered, Ct);
                TarDiff.AssertSame(Mask(dockerLayers[i], recreated), Mask(ours, recreated), $"docker's layer {i + 1}", $"tabula's layer {i + 1}");
            }
        }
        finally
        {
            File.Delete(archive);
        }
    }

    private static List<TarRecord> Mask(IReadOnlyList<TarRecord> layer, string[] recreated) =>
        layer.Select(r => recreated.Contains(r.Path) ? r with { ModifiedUnixSeconds = 0 } : r).ToList();
}
