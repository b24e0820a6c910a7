using System.Formats.Tar;
using Tabula.Dockerfile;

namespace Tabula.Tests.Build;

/// <summary>
/// Where COPY writes (issue items 9 and 11), as BuildKit's copier decides: the destination named in the instruction
/// is resolved through symlinks, nothing below it is; a copied directory meeting a symlink is an error naming the
/// Dockerfile line, a copied file replaces a symlink; <c>--parents</c> takes <c>./</c> and a trailing pivot.
/// </summary>
public class CopyTargetTests
{
    [Fact]
    public async Task A_directory_copied_onto_a_symlink_to_a_directory_is_refused_not_written_through()
    {
        using var h = new BuildHarness();
        h.Files.Directory("base/elsewhere", "755");
        h.Symlink("base/sub", "elsewhere");
        h.File("src/sub/f", "hi");
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync("FROM scratch\nCOPY base/ /\nCOPY src/ /\n"));
        Assert.Equal(3, error.Line);
        Assert.Contains("cannot copy to non-directory: /sub", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task A_stage_copied_onto_a_symlink_to_a_directory_is_refused_too()
    {
        using var h = new BuildHarness();
        h.Files.Directory("base/elsewhere", "755");
        h.Symlink("base/sub", "elsewhere");
        h.File("src/sub/f", "hi");
        var error = await Assert.ThrowsAsync<DockerfileException>(() =>
            h.BuildAsync("FROM scratch AS src\nCOPY src/ /\nFROM scratch\nCOPY base/ /\nCOPY --from=src / /\n"));
        Assert.Equal(5, error.Line);
        Assert.Contains("cannot copy to non-directory: /sub", error.Message);
    }

    [Fact]
    public async Task A_file_below_the_destination_replaces_a_symlink_and_leaves_its_target_alone()
    {
        using var h = new BuildHarness();
        h.File("base/target", "old");
        h.Symlink("base/f", "target");
        h.File("src/f", "new");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY base/ /\nCOPY src/ /\n");
        var rows = await LayerContents.ReadAsync(image.Layers[^1]);
        var f = LayerContents.Single(rows, "f");
        Assert.Equal((TarEntryType.RegularFile, "new"), (f.Type, f.Text));
        Assert.DoesNotContain(rows, r => r.Path == "target");
    }

    [Fact]
    public async Task The_destination_itself_is_resolved_through_a_symlink()
    {
        using var h = new BuildHarness();
        h.Files.Directory("base/real", "755");
        h.Symlink("base/link", "real");
        h.File("src/f", "hi");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY base/ /\nCOPY src/ /link/\n");
        Assert.Equal(["real", "real/f"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[^1])));
    }

    [Fact]
    public async Task A_file_meeting_a_directory_below_the_destination_is_refused()
    {
        using var h = new BuildHarness();
        h.File("base/x/inside", "1");
        h.File("src/x", "file");
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync("FROM scratch\nCOPY base/ /\nCOPY src/ /\n"));
        Assert.Equal(3, error.Line);
        Assert.Contains("cannot replace the directory /x with a file", error.Message);
    }

    [Theory]
    [InlineData("./", new[] { "parents", "parents/top", "parents/x", "parents/x/y", "parents/x/y/f" })]
    [InlineData("./x/./", new[] { "parents", "parents/y", "parents/y/f" })]
    public async Task Parents_of_the_whole_context_or_a_trailing_pivot_copy_the_contents(string source, string[] expected)
    {
        using var h = new BuildHarness();
        h.File("top", "t");
        h.File("x/y/f", "f");
        var image = await h.BuildImageAsync($"FROM scratch\nCOPY --parents {source} /parents/\n");
        Assert.Equal(expected, LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[^1])));
    }

    [Fact]
    public async Task Parents_from_a_stage_with_a_trailing_pivot_copy_the_contents()
    {
        using var h = new BuildHarness();
        h.File("x/y/f", "f");
        var image = await h.BuildImageAsync("FROM scratch AS src\nCOPY x /x\nFROM scratch\nCOPY --from=src --parents ./x/./ /parents/\n");
        Assert.Equal(["parents", "parents/y", "parents/y/f"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[^1])));
    }
}
