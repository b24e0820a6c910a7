using Tabula.Dockerfile;
using Tabula.Dockerfile.Syntax;

namespace Tabula.Tests.Dockerfile;

/// <summary>BuildKit's parser corpus: every case must dump exactly to its <c>result</c> file.</summary>
public sealed class ParserConformanceTests
{
    // testfile-line has no result file; its ranges are checked by Testfile_line_gives_the_documented_ranges.
    public static TheoryData<string> PositiveCases =>
        ConformanceData.CaseNames("dockerfile-parser", directory => Path.GetFileName(directory) != "testfile-line");

    /// <summary>
    /// The positive cases that are whole Dockerfiles. Six cases of the corpus (the jeztah-invalid-json-*
    /// ones and json) hold no FROM: they test only the syntax step, and a Dockerfile without FROM is no
    /// buildable one, so they are left out here rather than skipped on every run.
    /// </summary>
    public static TheoryData<string> BuildableCases =>
        ConformanceData.CaseNames("dockerfile-parser", directory =>
            Path.GetFileName(directory) != "testfile-line"
            && File.ReadAllText(Path.Combine(directory, "Dockerfile")).Contains("FROM", StringComparison.OrdinalIgnoreCase));

    public static TheoryData<string> NegativeCases => ConformanceData.CaseNames("dockerfile-parser-negative");

    [Theory]
    [MemberData(nameof(PositiveCases))]
    public void Dump_matches_the_result_file(string caseName)
    {
        var directory = ConformanceData.Require(Path.Combine("dockerfile-parser", caseName));
        var tree = SyntaxParser.Parse(File.ReadAllBytes(Path.Combine(directory, "Dockerfile")));

        var expected = File.ReadAllText(Path.Combine(directory, "result"));
        Assert.Equal(expected, DumpFormatter.Format(tree));
    }

    [Theory]
    [MemberData(nameof(BuildableCases))]
    public void Positive_cases_also_parse_into_typed_instructions(string caseName)
    {
        var directory = ConformanceData.Require(Path.Combine("dockerfile-parser", caseName));
        var text = File.ReadAllText(Path.Combine(directory, "Dockerfile"));

        if (SyntaxOnlyCases.TryGetValue(caseName, out var expectedError))
        {
            var error = Assert.Throws<DockerfileException>(() => DockerfileParser.Parse(text));
            Assert.Equal(expectedError, error.Message);
            return;
        }
        Assert.NotEmpty(DockerfileParser.Parse(text).Stages);
    }

    /// <summary>Cases that only test the syntax step; BuildKit's instruction step rejects them too.</summary>
    private static readonly Dictionary<string, string> SyntaxOnlyCases = new()
    {
        ["flags"] = "Dockerfile:3: unknown flag: --user",
        ["health"] = "Dockerfile:4: HEALTHCHECK requires at least one argument",
    };

    [Theory]
    [MemberData(nameof(NegativeCases))]
    public void Negative_cases_fail_with_a_line(string caseName)
    {
        var directory = ConformanceData.Require(Path.Combine("dockerfile-parser-negative", caseName));
        var text = File.ReadAllText(Path.Combine(directory, "Dockerfile"));

        var error = Assert.Throws<DockerfileException>(() => DockerfileParser.Parse(text));

        Assert.True(error.Line >= 1);
        Assert.StartsWith($"Dockerfile:{error.Line}: ", error.Message);
        Assert.True(
            NegativeReasons.TryGetValue(caseName, out var expected),
            $"the corpus has a new negative case `{caseName}`: add BuildKit's reason for it to {nameof(NegativeReasons)}");
        Assert.Equal(expected, error.Reason);
    }

    /// <summary>BuildKit's message for each negative case, so a wrong reason fails as well as a missing error.</summary>
    private static readonly Dictionary<string, string> NegativeReasons = new()
    {
        ["empty_dockerfile"] = "file with no instructions",
        ["only_comments"] = "file with no instructions",
        ["env_no_value"] = "ENV must have two arguments",
        ["shykes-nested-json"] = "when using JSON array syntax, arrays must be comprised of strings only",
    };

    [Fact]
    public void Testfile_line_gives_the_documented_ranges()
    {
        var path = ConformanceData.Require(Path.Combine("dockerfile-parser", "testfile-line", "Dockerfile"));
        var tree = SyntaxParser.Parse(File.ReadAllText(path));

        Assert.Equal(new SourceRange(5, 31), tree.Range);
        Assert.Equal(
            [new SourceRange(5, 5), new SourceRange(11, 12), new SourceRange(17, 31)],
            tree.Nodes.Select(n => n.Range));
    }
}
