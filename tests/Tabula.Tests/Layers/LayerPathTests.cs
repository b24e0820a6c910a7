using Tabula.Layers;

namespace Tabula.Tests.Layers;

public class LayerPathTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("/", "")]
    [InlineData("./", "")]
    [InlineData(".", "")]
    [InlineData("a", "a")]
    [InlineData("/a/b/", "a/b")]
    [InlineData("./a//b/./c", "a/b/c")]
    [InlineData("a/../b", "b")]
    [InlineData("../../etc/passwd", "etc/passwd")]
    [InlineData("/a/../../..", "")]
    [InlineData("a/b/../../../c", "c")]
    [InlineData("...", "...")]
    public void Clean_is_lexical_and_clamps_at_the_root(string path, string expected)
        => Assert.Equal(expected, LayerPath.Clean(path));

    [Theory]
    [InlineData("a/b", true)]
    [InlineData("", true)]
    [InlineData("/a", false)]
    [InlineData("a/", false)]
    [InlineData("./a", false)]
    [InlineData("a//b", false)]
    [InlineData("a/../b", false)]
    public void IsClean(string path, bool expected) => Assert.Equal(expected, LayerPath.IsClean(path));

    [Fact]
    public void Path_order_puts_a_directory_before_its_contents()
    {
        var paths = new List<string> { "a-c", "a/b", "a", "a/b/c", "a.d", "b", "A", "a/a-b", "a/a/z" };
        paths.Sort(LayerPathOrder.Instance);
        Assert.Equal(["A", "a", "a/a/z", "a/a-b", "a/b", "a/b/c", "a-c", "a.d", "b"], paths);
    }

    [Fact]
    public void Path_order_compares_by_code_point_like_utf8_bytes()
    {
        // U+FF00 sorts after U+10000's surrogates in UTF-16 but before it by code point (and UTF-8 bytes);
        // the expected order is the one of the UTF-8 bytes, computed here without Tabula.
        string bmpHigh = "\uFF00";
        string astral = char.ConvertFromUtf32(0x10000);
        Assert.True(LayerPathOrder.Instance.Compare(bmpHigh, astral) < 0);
        Assert.True(LayerPathOrder.Instance.Compare(astral, bmpHigh) > 0);
        var names = new List<string> { astral, "z", bmpHigh, "a" + astral, "a\uFF00", "\uE000", "a" };
        var byUtf8 = names.OrderBy(n => System.Text.Encoding.UTF8.GetBytes(n), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).ToList();
        names.Sort(LayerPathOrder.Instance);
        Assert.Equal(byUtf8, names);
    }

    [Fact]
    public void Entry_rejects_unclean_paths_and_type_bits_in_mode()
    {
        Assert.Throws<ArgumentException>(() => new LayerEntry { Path = "/etc", Type = LayerEntryType.Directory });
        Assert.Throws<ArgumentException>(() => new LayerEntry { Path = "", Type = LayerEntryType.Directory });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerEntry { Path = "x", Type = LayerEntryType.RegularFile, Mode = 0x81A4 });
    }

    [Fact]
    public void Entry_truncates_mtime_to_whole_seconds_and_compares_xattrs_by_value()
    {
        var time = new DateTimeOffset(2024, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
        var a = new LayerEntry { Path = "x", Type = LayerEntryType.RegularFile, ModTime = time, Xattrs = LayerXattrs.From([new("user.a", [1, 2])]) };
        var b = a with { Xattrs = LayerXattrs.From([new("user.a", [1, 2])]) };
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), a.ModTime);
        Assert.Equal(a, b);
        Assert.NotEqual(a, b with { Xattrs = LayerXattrs.From([new("user.a", [1, 3])]) });
    }

    [Fact]
    public void TooLongName_counts_utf8_bytes_per_component()
    {
        Assert.Null(LayerPath.TooLongName("a/" + new string('n', 255) + "/b"));
        Assert.Null(LayerPath.TooLongName(new string('\u00e9', 127) + "/" + new string('n', 200))); // 254 bytes, 200 bytes
        Assert.Equal(new string('n', 256), LayerPath.TooLongName("a/" + new string('n', 256) + "/b"));
        Assert.Equal(new string('\u00e9', 128), LayerPath.TooLongName("x/" + new string('\u00e9', 128))); // 128 chars, 256 bytes
        Assert.Null(LayerPath.TooLongName(string.Join('/', Enumerable.Repeat(new string('n', 200), 50)))); // a long path of short names
    }
}
