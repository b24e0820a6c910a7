using Tabula.Layers;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Layers;

/// <summary>The parent check of the tree writers: a path is only given out under a real directory of the root.</summary>
public class TargetDirectoryTests
{
    [Fact]
    public void A_path_under_a_symlink_or_a_file_is_refused()
    {
        using var temp = new TempDir("target");
        string outside = temp.CreateDirectory("outside");
        string root = temp.CreateDirectory("root");
        File.CreateSymbolicLink(Path.Combine(root, "link"), outside);
        File.WriteAllText(Path.Combine(root, "file"), "");
        var target = new TargetDirectory(root);

        Assert.Throws<LayerFormatException>(() => target.FullPath("link/x"));
        Assert.Throws<LayerFormatException>(() => target.FullPath("file/x"));
        Assert.Throws<LayerFormatException>(() => target.FullPath("missing/x"));
        Assert.Throws<LayerFormatException>(() => target.FullPath("../x"));
        Assert.Throws<LayerFormatException>(() => target.FullPath(""));
        Assert.Equal(Path.Combine(root, "top"), target.FullPath("top"));
    }

    [Fact]
    public void The_remembered_parent_does_not_let_a_path_of_another_parent_through()
    {
        using var temp = new TempDir("target");
        string outside = temp.CreateDirectory("outside");
        string root = temp.CreateDirectory("root");
        Directory.CreateDirectory(Path.Combine(root, "d/sub"));
        File.CreateSymbolicLink(Path.Combine(root, "d/link"), outside);
        var target = new TargetDirectory(root);

        Assert.Equal(Path.Combine(root, "d/a"), target.FullPath("d/a"));
        Assert.Equal(Path.Combine(root, "d/b"), target.FullPath("d/b"));
        Assert.Equal(Path.Combine(root, "d/sub/c"), target.FullPath("d/sub/c"));
        // "d/link" shares the prefix "d/l" with nothing checked, and "d" itself was: only the whole parent counts.
        Assert.Throws<LayerFormatException>(() => target.FullPath("d/link/x"));
        Assert.Equal(Path.Combine(root, "d/e"), target.FullPath("d/e"));
        Assert.Throws<LayerFormatException>(() => target.FullPath("d/link/y"));
    }
}
