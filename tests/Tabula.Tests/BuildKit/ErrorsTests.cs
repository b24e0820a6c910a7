using Tabula.Dockerfile;
using Tabula.Tests.Build;

namespace Tabula.Tests.BuildKit;

/// <summary>BuildKit's <c>frontend/dockerfile/errors_test.go</c>.</summary>
public sealed class ErrorsTests
{
    /// <summary>
    /// Every failing build names the Dockerfile and the line(s) of the faulty instruction, a continued instruction by
    /// all its lines. BuildKit's case <c>invalidsyntax</c> (<c>#syntax=foobar</c>, an error on line 1 because the
    /// frontend image cannot be resolved) does not apply: tabula parses Dockerfiles itself and runs no frontend image.
    /// </summary>
    [Theory]
    [InlineData("invalidenv", "from alpine\nenv", 2, 2)]
    [InlineData("invalidrun", "from scratch\nenv foo=bar\nrun what", 3, 3)]
    [InlineData("invalidcopy", "from scratch\nenv foo=bar\ncopy foo bar\nenv bar=baz", 3, 3)]
    [InlineData("invalidflag", "from scratch\nenv foo=bar\ncopy --foo=bar / /\nenv bar=baz", 3, 3)]
    [InlineData("invalidcopyfrom", "from scratch\nenv foo=bar\ncopy --from=invalid foo bar\nenv bar=baz", 3, 3)]
    [InlineData("invalidmultiline", "from scratch\nrun wh\\\nat\nenv bar=baz", 2, 3)]
    public async Task TestErrorsSourceMap(string name, string dockerfile, int startLine, int endLine)
    {
        using var h = new BuildHarness();
        h.File("Dockerfile", dockerfile, "600");
        var options = h.Options("") with { DockerfileText = null };
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync(options));
        Assert.True(("Dockerfile", startLine, endLine) == (error.FileName, error.Line, error.EndLine),
            $"{name}: {error.Message} (lines {error.Line}-{error.EndLine})");
    }
}
