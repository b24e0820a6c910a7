using Tabula.Layers;

namespace Tabula.Tests.Layers;

public class ModeChangeTests
{
    /// <summary>Every row is what GNU chmod (umask 0) made of a file or directory with the start mode.</summary>
    [Theory]
    [InlineData("go-w", "666", false, "644")]
    [InlineData("go-w", "666", true, "644")]
    [InlineData("u=rw,g=r,o=r", "666", false, "644")]
    [InlineData("u=rw,g=r,o=r", "666", true, "644")]
    [InlineData("a+X", "666", false, "666")]
    [InlineData("a+X", "666", true, "777")]
    [InlineData("u+rw,g+r,o-x,o+w", "666", false, "666")]
    [InlineData("u+rw,g+r,o-x,o+w", "666", true, "666")]
    [InlineData("g=u", "666", false, "666")]
    [InlineData("g=u", "666", true, "666")]
    [InlineData("o=", "666", false, "660")]
    [InlineData("o=", "666", true, "660")]
    [InlineData("u+s,g+s", "666", false, "6666")]
    [InlineData("u+s,g+s", "666", true, "6666")]
    [InlineData("+t", "666", false, "1666")]
    [InlineData("+t", "666", true, "1666")]
    [InlineData("a-x,u+x", "666", false, "766")]
    [InlineData("a-x,u+x", "666", true, "766")]
    [InlineData("go-w", "124", false, "104")]
    [InlineData("go-w", "124", true, "104")]
    [InlineData("u=rw,g=r,o=r", "124", false, "644")]
    [InlineData("u=rw,g=r,o=r", "124", true, "644")]
    [InlineData("a+X", "124", false, "135")]
    [InlineData("a+X", "124", true, "135")]
    [InlineData("u+rw,g+r,o-x,o+w", "124", false, "766")]
    [InlineData("u+rw,g+r,o-x,o+w", "124", true, "766")]
    [InlineData("g=u", "124", false, "114")]
    [InlineData("g=u", "124", true, "114")]
    [InlineData("o=", "124", false, "120")]
    [InlineData("o=", "124", true, "120")]
    [InlineData("u+s,g+s", "124", false, "6124")]
    [InlineData("u+s,g+s", "124", true, "6124")]
    [InlineData("+t", "124", false, "1124")]
    [InlineData("+t", "124", true, "1124")]
    [InlineData("a-x,u+x", "124", false, "124")]
    [InlineData("a-x,u+x", "124", true, "124")]
    [InlineData("go-w", "755", false, "755")]
    [InlineData("go-w", "755", true, "755")]
    [InlineData("u=rw,g=r,o=r", "755", false, "644")]
    [InlineData("u=rw,g=r,o=r", "755", true, "644")]
    [InlineData("a+X", "755", false, "755")]
    [InlineData("a+X", "755", true, "755")]
    [InlineData("u+rw,g+r,o-x,o+w", "755", false, "756")]
    [InlineData("u+rw,g+r,o-x,o+w", "755", true, "756")]
    [InlineData("g=u", "755", false, "775")]
    [InlineData("g=u", "755", true, "775")]
    [InlineData("o=", "755", false, "750")]
    [InlineData("o=", "755", true, "750")]
    [InlineData("u+s,g+s", "755", false, "6755")]
    [InlineData("u+s,g+s", "755", true, "6755")]
    [InlineData("+t", "755", false, "1755")]
    [InlineData("+t", "755", true, "1755")]
    [InlineData("a-x,u+x", "755", false, "744")]
    [InlineData("a-x,u+x", "755", true, "744")]
    [InlineData("go-w", "4755", false, "4755")]
    [InlineData("u=rw,g=r,o=r", "4755", false, "644")]
    [InlineData("a+X", "4755", false, "4755")]
    [InlineData("u+rw,g+r,o-x,o+w", "4755", false, "4756")]
    [InlineData("g=u", "4755", false, "4775")]
    [InlineData("o=", "4755", false, "4750")]
    [InlineData("u+s,g+s", "4755", false, "6755")]
    [InlineData("+t", "4755", false, "5755")]
    [InlineData("a-x,u+x", "4755", false, "4744")]
    [InlineData("go-w", "640", false, "640")]
    [InlineData("go-w", "640", true, "640")]
    [InlineData("u=rw,g=r,o=r", "640", false, "644")]
    [InlineData("u=rw,g=r,o=r", "640", true, "644")]
    [InlineData("a+X", "640", false, "640")]
    [InlineData("a+X", "640", true, "751")]
    [InlineData("u+rw,g+r,o-x,o+w", "640", false, "642")]
    [InlineData("u+rw,g+r,o-x,o+w", "640", true, "642")]
    [InlineData("g=u", "640", false, "660")]
    [InlineData("g=u", "640", true, "660")]
    [InlineData("o=", "640", false, "640")]
    [InlineData("o=", "640", true, "640")]
    [InlineData("u+s,g+s", "640", false, "6640")]
    [InlineData("u+s,g+s", "640", true, "6640")]
    [InlineData("+t", "640", false, "1640")]
    [InlineData("+t", "640", true, "1640")]
    [InlineData("a-x,u+x", "640", false, "740")]
    [InlineData("a-x,u+x", "640", true, "740")]
    public void A_symbolic_mode_changes_the_mode_as_chmod_does(string change, string start, bool directory, string expected)
    {
        int mode = ModeChange.Parse(change).Apply(Convert.ToInt32(start, 8), directory);
        Assert.Equal(expected, Convert.ToString(mode, 8));
    }

    [Fact]
    public void Octal_bits_replace_the_mode()
    {
        var change = ModeChange.Parse("0640");
        Assert.Equal(0b110_100_000, change.Octal);
        Assert.Equal(0b110_100_000, change.Apply(0b111_111_111, isDirectory: true));
    }

    [Theory]
    [InlineData("64a")]
    [InlineData("10000")]
    [InlineData("u+x,")]
    [InlineData("u")]
    [InlineData("z+x")]
    [InlineData("")]
    public void Anything_else_is_refused(string text)
    {
        var error = Assert.Throws<FormatException>(() => ModeChange.Parse(text));
        Assert.Contains($"'{text}'", error.Message);
    }
}
