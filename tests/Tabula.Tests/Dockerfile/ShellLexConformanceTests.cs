using Tabula.Dockerfile.Expansion;

namespace Tabula.Tests.Dockerfile;

/// <summary>BuildKit's <c>envVarTest</c> and <c>wordsTest</c> vectors for word expansion and splitting.</summary>
public sealed class ShellLexConformanceTests
{
    private static readonly VariableMap EnvVarTestVariables =
        VariableMap.FromAssignments(["PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL="]);

    [Fact]
    public void EnvVarTest_vectors_expand_as_one_word()
    {
        var path = ConformanceData.Require(Path.Combine("dockerfile-shell-lex", "envVarTest"));
        var lexer = new ShellLexer('\\');
        var checkedVectors = 0;
        foreach (var (lineNumber, line) in NumberedLines(path))
        {
            if (line.StartsWith('#') || line.Trim().Length == 0)
                continue;
            var fields = line.Trim().Split('|');
            Assert.Equal(3, fields.Length);
            var (platform, input, expected) = (fields[0].Trim(), fields[1].Trim(), fields[2].Trim());
            if (platform == "W")
                continue;

            if (expected == "error")
            {
                var error = Record.Exception(() => lexer.ProcessWord(input, EnvVarTestVariables));
                Assert.True(error is ShellExpansionException, $"line {lineNumber}: {input} should fail");
            }
            else
            {
                Assert.True(expected == lexer.ProcessWord(input, EnvVarTestVariables), $"line {lineNumber}: {input}");
            }
            checkedVectors++;
        }
        Assert.True(checkedVectors > 200);
    }

    [Fact]
    public void WordsTest_vectors_split_into_fields()
    {
        // Upstream's second pass (RawQuotes + SkipUnsetEnv) reads the already exhausted file,
        // so only this plain pass is really specified by the vectors.
        var path = ConformanceData.Require(Path.Combine("dockerfile-shell-lex", "wordsTest"));
        var lexer = new ShellLexer('\\');
        var assignments = new List<string>();
        var checkedVectors = 0;
        foreach (var (lineNumber, line) in NumberedLines(path))
        {
            if (line.StartsWith('#'))
                continue;
            if (line.StartsWith("ENV ", StringComparison.Ordinal))
            {
                assignments.Add(line[3..].TrimStart(' '));
                continue;
            }
            var fields = line.Split('|');
            Assert.Equal(2, fields.Length);
            var input = fields[0].Trim();
            var expected = fields[1].TrimStart(' ').Split(',');

            IReadOnlyList<string> actual;
            try
            {
                actual = lexer.ProcessWords(input, VariableMap.FromAssignments(assignments));
            }
            catch (ShellExpansionException)
            {
                actual = ["error"];
            }
            Assert.True(expected.SequenceEqual(actual),
                $"line {lineNumber}: {input} gave [{string.Join("|", actual)}], expected [{string.Join("|", expected)}]");
            checkedVectors++;
        }
        Assert.True(checkedVectors > 20);
    }

    /// <summary>Lines as Go's line scanner yields them: no empty line after a final newline.</summary>
    private static IEnumerable<(int Number, string Text)> NumberedLines(string path)
    {
        var text = File.ReadAllText(path);
        if (text.EndsWith('\n'))
            text = text[..^1];
        return text.Split('\n').Select((line, index) => (index + 1, line.TrimEnd('\r')));
    }
}
