using Tabula.Layers;

namespace Tabula.Tests.Layers;

public class FileTreeResolutionTests
{
    private static FileTree SampleTree()
    {
        var tree = new FileTree();
        var d = TreeTestSupport.Implied;
        tree.Put(TarTestData.Dir("usr"), null, d);
        tree.Put(TarTestData.Dir("usr/bin"), null, d);
        tree.Put(TarTestData.File("usr/bin/env"), null, d);
        tree.Put(TarTestData.Symlink("bin", "usr/bin"), null, d);
        tree.Put(TarTestData.Symlink("abs", "/usr/bin"), null, d);
        tree.Put(TarTestData.Symlink("usr/up", "../.."), null, d);
        tree.Put(TarTestData.Symlink("loop1", "loop2"), null, d);
        tree.Put(TarTestData.Symlink("loop2", "loop1"), null, d);
        tree.Put(TarTestData.Symlink("usr/bin/chain", "../../bin/env"), null, d);
        return tree;
    }

    [Theory]
    [InlineData("/bin/env", true, "usr/bin/env")]
    [InlineData("bin/env", true, "usr/bin/env")]
    [InlineData("/abs/env", true, "usr/bin/env")]
    [InlineData("../../../bin/env", true, "usr/bin/env")]
    [InlineData("usr/up/usr/up/bin", true, "usr/bin")]
    [InlineData("bin/chain", true, "usr/bin/env")]
    [InlineData("bin/chain", false, "usr/bin/chain")]
    [InlineData("bin", false, "bin")]
    [InlineData("bin/", false, "usr/bin")]
    [InlineData("bin/../etc/new", true, "usr/etc/new")]
    [InlineData("missing/../x", true, "x")]
    public void Resolves_like_a_chroot(string path, bool followFinal, string expected)
        => Assert.Equal(expected, SampleTree().Resolve(path, followFinal).Path);

    [Fact]
    public void A_symlink_loop_is_a_clear_error()
    {
        var error = Assert.Throws<SymlinkLoopException>(() => SampleTree().Resolve("loop1/x"));
        Assert.Contains("too many levels of symbolic links", error.Message);
        Assert.Equal(255, error.Limit);
    }

    [Fact]
    public void A_scope_is_a_root_that_absolute_links_and_dotdot_cannot_leave()
    {
        var tree = SampleTree();
        tree.EnsureDirectory("opt/app", TreeTestSupport.Implied);
        tree.Put(TarTestData.Symlink("opt/app/top", "/"), null, null);
        Assert.Equal("opt/app/x", tree.Resolve("top/x", scope: "opt/app").Path);
        Assert.Equal("opt/app/x", tree.Resolve("../../../x", scope: "opt/app").Path);
        Assert.Equal("x", tree.Resolve("opt/app/top/x").Path);
    }

    [Fact]
    public void Put_follows_symlinks_in_parents_and_creates_missing_ones()
    {
        var tree = SampleTree();
        Assert.Equal("usr/bin/tool", tree.Put(TarTestData.File("bin/tool"), null, null));
        Assert.Equal("usr/bin/a/b/c", tree.Put(TarTestData.File("bin/a/b/c"), null, TreeTestSupport.Implied));
        Assert.Equal(LayerModes.DefaultDirectory, tree.Get("usr/bin/a")!.Entry.Mode);
        Assert.Throws<LayerFormatException>(() => tree.Put(TarTestData.File("nope/x"), null, null));
        Assert.Throws<LayerFormatException>(() => tree.Put(TarTestData.File("usr/bin/env/x"), null, TreeTestSupport.Implied));
    }

    [Fact]
    public void Put_takes_the_callers_name_string_only_when_it_is_the_entrys_name()
    {
        var tree = SampleTree();
        var name = new string("tool".AsSpan());
        Assert.Equal("usr/bin/tool", tree.Put(TarTestData.File("bin/tool"), null, null, name));
        Assert.Same(name, tree.Root.Children!["usr"].Children!["bin"].Children!.Keys.Single(k => k == "tool"));
        Assert.Throws<ArgumentException>(() => tree.Put(TarTestData.File("bin/tool"), null, null, "ool"));
        Assert.Throws<ArgumentException>(() => tree.Put(TarTestData.File("bin/tool"), null, null, "other"));
    }

    [Fact]
    public void Overwrite_follows_tar_extraction()
    {
        var tree = SampleTree();
        tree.Put(TarTestData.File("usr/bin/x"), null, null);
        tree.Put(TarTestData.Dir("usr/bin", mode: 0b111_000_000), null, null);
        Assert.NotNull(tree.Get("usr/bin/x"));
        Assert.Equal(0b111_000_000, tree.Get("usr/bin")!.Entry.Mode);

        tree.Put(TarTestData.File("usr/bin"), null, null);
        Assert.Equal(LayerEntryType.RegularFile, tree.Get("usr/bin")!.Entry.Type);
        Assert.Null(tree.Get("usr/bin/x"));

        tree.Put(TarTestData.Dir("usr/bin"), null, null);
        Assert.Equal(LayerEntryType.Directory, tree.Get("usr/bin")!.Entry.Type);
    }
}
