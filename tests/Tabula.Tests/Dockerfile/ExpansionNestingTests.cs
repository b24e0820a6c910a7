using Tabula.Dockerfile.Expansion;

namespace Tabula.Tests.Dockerfile;

/// <summary>Nesting of <c>${A:-${B:-…}}</c> is bounded: a hostile line fails with an error, not a stack overflow.</summary>
public sealed class ExpansionNestingTests
{
    private static readonly ShellLexer Lexer = new('\\');

    private static string Nested(int depth, bool closed) =>
        string.Concat(Enumerable.Repeat("${B:-", depth)) + "x" + (closed ? new string('}', depth) : "");

    [Fact]
    public void ReasonableNestingExpands() =>
        Assert.Equal("x", Lexer.ProcessWord(Nested(50, closed: true), VariableMap.FromAssignments([])));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TenThousandLevelsFailWithAShortMessage(bool closed)
    {
        // Run on a small stack, as a thread-pool thread may have: the bound must hold well inside it.
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { Lexer.ProcessWord(Nested(10_000, closed), VariableMap.FromAssignments([])); }
            catch (Exception e) { error = e; }
        }, 256 * 1024);
        thread.Start();
        thread.Join();
        var expansion = Assert.IsType<ShellExpansionException>(error);
        Assert.Contains("nested more than", expansion.Message);
        Assert.True(expansion.Message.Length < 400, "the message quotes the word's start only");
    }
}
