using System.Formats.Tar;
using Tabula.Build;
using Tabula.Layers;

namespace Tabula.Tests.Build;

/// <summary>
/// The build context as BuildKit sends it: hard links stay linked, <c>.dockerignore</c> with fsutil's walk
/// (excluded directories appear only as parents of what an exception keeps), and the Dockerfile's default names.
/// </summary>
public sealed class ContextParityTests
{
    private static BuildOptions FromContextFiles(BuildHarness h) => h.Options("") with { DockerfileText = null };

    private static void Link(BuildHarness h, string existing, string created) =>
        Posix.Link(h.Files.Combine(existing), h.Files.Combine(created));

    [Fact]
    public async Task Hard_links_in_the_context_stay_linked_the_first_path_being_the_file()
    {
        using var h = new BuildHarness();
        h.File("dir/a", "hello");
        Link(h, "dir/a", CreateParent(h, "dir/sub/b"));
        Link(h, "dir/a", "c");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY . /\nCOPY dir /x/\n");

        var whole = await LayerContents.ReadAsync(image.Layers[0]);
        Assert.Equal((TarEntryType.RegularFile, "hello"), (LayerContents.Single(whole, "c").Type, LayerContents.Single(whole, "c").Text));
        foreach (var link in new[] { "dir/a", "dir/sub/b" })
            Assert.Equal((TarEntryType.HardLink, "c"), (LayerContents.Single(whole, link).Type, LayerContents.Single(whole, link).LinkName));

        var part = await LayerContents.ReadAsync(image.Layers[1]);
        Assert.Equal(TarEntryType.RegularFile, LayerContents.Single(part, "x/a").Type);
        Assert.Equal((TarEntryType.HardLink, "x/a"), (LayerContents.Single(part, "x/sub/b").Type, LayerContents.Single(part, "x/sub/b").LinkName));
    }

    /// <summary>BuildKit runs one copy per source, and each copy keeps only the links it sees itself.</summary>
    [Fact]
    public async Task Hard_links_named_as_separate_sources_are_separate_files_and_a_wildcard_keeps_them()
    {
        using var h = new BuildHarness();
        h.File("a", "same");
        Link(h, "a", "b");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY a b /two/\nCOPY [ab] /one/\n");
        var two = await LayerContents.ReadAsync(image.Layers[0]);
        Assert.Equal(TarEntryType.RegularFile, LayerContents.Single(two, "two/a").Type);
        Assert.Equal(TarEntryType.RegularFile, LayerContents.Single(two, "two/b").Type);
        var one = await LayerContents.ReadAsync(image.Layers[1]);
        Assert.Equal((TarEntryType.HardLink, "one/a"), (LayerContents.Single(one, "one/b").Type, LayerContents.Single(one, "one/b").LinkName));
    }

    /// <summary>Linking or unlinking files changes the layer, so it must change the cache key; the same links hit.</summary>
    [Fact]
    public async Task The_cache_key_sees_which_files_are_hard_links()
    {
        using var h = new BuildHarness();
        h.File("a", "same");
        Link(h, "a", "b");
        const string dockerfile = "FROM scratch\nCOPY . /\n";
        var linked = await h.BuildAsync(dockerfile);
        var again = await h.BuildAsync(dockerfile);
        Assert.Equal(linked.ImageId, again.ImageId);
        Assert.Contains(h.Events, e => e is StepCacheHit);

        // The same content, mode and mtime as a separate file.
        var time = File.GetLastWriteTimeUtc(h.Files.Combine("a"));
        File.Delete(h.Files.Combine("b"));
        h.File("b", "same");
        File.SetLastWriteTimeUtc(h.Files.Combine("b"), time);
        h.Events.Clear();
        var separate = await h.BuildAsync(dockerfile);
        Assert.DoesNotContain(h.Events, e => e is StepCacheHit);
        Assert.NotEqual(linked.ImageId, separate.ImageId);
        var rows = await LayerContents.ReadAllAsync(await h.LoadAsync("test:latest"));
        Assert.Equal(TarEntryType.RegularFile, LayerContents.Single(rows, "b").Type);
    }

    /// <summary><c>**</c> then <c>!folder1/file1</c>: folder1 is sent as the parent of file1, so it can be a source.</summary>
    [Fact]
    public async Task An_excluded_directory_with_a_re_included_child_is_a_source()
    {
        using var h = new BuildHarness();
        h.File("folder1/file1", "a");
        h.File("folder1/file2", "b");
        h.File("folder2/f", "c");
        h.File(".dockerignore", "**\n!folder1/file1\n");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY folder1 /x/\nCOPY . /all/\nCOPY folder* /w/\n");
        Assert.Equal(["x", "x/file1"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[0])));
        Assert.Equal(["all", "all/folder1", "all/folder1/file1"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[1])));
        Assert.Equal(["w", "w/file1"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[2])));
        var missing = await Assert.ThrowsAsync<Tabula.Dockerfile.DockerfileException>(() => h.BuildAsync("FROM scratch\nCOPY folder2 /y/\n"));
        Assert.Contains("\"folder2\" not found in the build context", missing.Message, StringComparison.Ordinal);
    }

    /// <summary>An excluded directory that is entered for an exception but keeps nothing is not created.</summary>
    [Fact]
    public async Task An_excluded_directory_that_keeps_nothing_is_not_created()
    {
        using var h = new BuildHarness();
        h.File("dir/sub/keep", "k");
        h.File("dir/sub/y", "y");
        h.File("dir/other/x", "x");
        h.File("dir/empty/z", "z");
        h.File(".dockerignore", "dir\n!dir/sub/keep\n!dir/empty/nothing-here\n");
        var rows = await LayerContents.ReadAllAsync(await h.BuildImageAsync("FROM scratch\nCOPY . /\n"));
        Assert.Equal([".dockerignore", "dir", "dir/sub", "dir/sub/keep"], LayerContents.Paths(rows));
    }

    /// <summary>
    /// <c>volume/</c> then <c>!**/oneline.txt</c>: an exception with a wildcard makes BuildKit (fsutil) walk every
    /// excluded directory and keep what it matches. docker's legacy builder differs here: it enters an excluded
    /// directory only for an exception that starts with its path, so its context has no <c>volume/</c>.
    /// </summary>
    [Fact]
    public async Task A_wildcard_exception_re_includes_inside_an_excluded_directory_as_BuildKit_does()
    {
        using var h = new BuildHarness();
        h.File("volume/oneline.txt", "1");
        h.File("volume/sub/oneline.txt", "2");
        h.File("volume/other", "3");
        h.File("volume/empty/none", "4");
        h.File(".dockerignore", "volume/\n!**/oneline.txt\n.dockerignore\n");
        var rows = await LayerContents.ReadAllAsync(await h.BuildImageAsync("FROM scratch\nCOPY . /\n"));
        Assert.Equal(["volume", "volume/oneline.txt", "volume/sub", "volume/sub/oneline.txt"], LayerContents.Paths(rows));
    }

    [Theory]
    [InlineData(new[] { "dockerfile" }, "dockerfile")]
    [InlineData(new[] { "Containerfile" }, "Containerfile")]
    [InlineData(new[] { "Dockerfile", "dockerfile", "Containerfile" }, "Dockerfile")]
    [InlineData(new[] { "dockerfile", "Containerfile" }, "dockerfile")]
    public async Task Without_f_the_Dockerfile_is_Dockerfile_then_dockerfile_then_Containerfile(string[] present, string used)
    {
        using var h = new BuildHarness();
        foreach (var name in present) h.File(name, $"FROM scratch\nLABEL from={name}\n");
        await h.BuildAsync(FromContextFiles(h));
        var image = await h.LoadAsync("test:latest");
        Assert.Equal(used, image.Config.Config!.Labels!["from"]);
    }

    [Fact]
    public async Task An_explicit_f_wins_even_when_it_is_missing()
    {
        using var h = new BuildHarness();
        h.File("Dockerfile", "FROM scratch\nLABEL from=Dockerfile\n");
        h.File("other/app.Containerfile", "FROM scratch\nLABEL from=app\n");
        await h.BuildAsync(FromContextFiles(h) with { DockerfilePath = h.Files.Combine("other/app.Containerfile") });
        Assert.Equal("app", (await h.LoadAsync("test:latest")).Config.Config!.Labels!["from"]);
        var missing = h.Files.Combine("dockerfile.dev");
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => h.BuildAsync(FromContextFiles(h) with { DockerfilePath = missing }));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_no_candidate_the_error_names_CONTEXT_Dockerfile()
    {
        using var h = new BuildHarness();
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => h.BuildAsync(FromContextFiles(h)));
        Assert.Contains(h.Files.Combine("Dockerfile"), error.Message, StringComparison.Ordinal);
    }

    private static string CreateParent(BuildHarness h, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(h.Files.Combine(path))!);
        return path;
    }
}
