using Tabula.Build;

namespace Tabula.Tests.Build;

public class SmallRulesTests
{
    [Theory]
    [InlineData("*.txt", "a.txt", true)]
    [InlineData("*.txt", "a.txt.bak", false)]
    [InlineData("a?c", "abc", true)]
    [InlineData("[a-c]x", "bx", true)]
    [InlineData("[^a-c]x", "bx", false)]
    [InlineData("[!a-c]x", "dx", false)] // Go has no '!' negation: '!' is a literal
    [InlineData("\\*", "*", true)]
    [InlineData("\\*", "a", false)]
    [InlineData("*", "", true)]
    public void GlobMatchesLikeGoFilepathMatch(string pattern, string name, bool expected)
        => Assert.Equal(expected, GlobPattern.Match(pattern, name));

    [Theory]
    [InlineData("c/**/e", "c/d/e", true)]
    [InlineData("c/**/e", "c/e", true)]
    [InlineData("c/**/bar", "c/d/e/bar", true)]
    [InlineData("c/**/bar", "c/d/e/bar/x", false)]
    [InlineData("c*/**", "c2/d", true)]
    [InlineData("c/*/bar", "c/d/e/bar", false)]
    public void DoubleStarMatchesAnyNumberOfComponents(string pattern, string path, bool expected)
        => Assert.Equal(expected, GlobPattern.MatchPath(pattern.Split('/'), path.Split('/')));

    [Theory]
    [InlineData(null, "/app", "/app")]
    [InlineData("/app", "src", "/app/src")]
    [InlineData("/app", "../x/./y/", "/x/y")]
    [InlineData("/", "..", "/")]
    public void WorkdirResolvesAgainstTheCurrentOne(string? current, string path, string expected)
        => Assert.Equal(expected, WorkdirPath.Resolve(current, path));

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(5_000_000_000L, "5s")]
    [InlineData(1_500_000_000L, "1.5s")]
    [InlineData(90_000_000_000L, "1m30s")]
    [InlineData(3_600_000_000_000L, "1h0m0s")]
    [InlineData(500_000_000L, "500ms")]
    [InlineData(1_500L, "1.5µs")]
    public void DurationsReadAsGoPrintsThem(long nanoseconds, string expected)
        => Assert.Equal(expected, GoFormat.Duration(nanoseconds));

    [Theory]
    [InlineData("../../etc/passwd", "etc/passwd")]
    [InlineData("/abs/./x//y", "abs/x/y")]
    [InlineData(".", "")]
    public void ContextPathsAreClampedAtTheRoot(string path, string expected)
        => Assert.Equal(expected, BuildContext.Clean(path));
}
