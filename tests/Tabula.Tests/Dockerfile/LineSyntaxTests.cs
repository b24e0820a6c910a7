using Tabula.Dockerfile;
using Tabula.Dockerfile.Syntax;

namespace Tabula.Tests.Dockerfile;

public sealed class LineSyntaxTests
{
    private static string Dump(string text) => DumpFormatter.Format(SyntaxParser.Parse(text));

    [Fact]
    public void Backtick_escape_directive_continues_lines_and_leaves_backslashes_alone()
    {
        var tree = SyntaxParser.Parse("# escape=`\nFROM windows\nRUN dir c:\\ `\n  && echo done\nCOPY a\\b c:\\dest\\\n");

        Assert.Equal('`', tree.EscapeToken);
        Assert.Equal("`", tree.Directives.Escape);
        Assert.Equal("(from \"windows\")\n(run \"dir c:\\\\   && echo done\")\n(copy \"a\\\\b\" \"c:\\\\dest\\\\\")\n", DumpFormatter.Format(tree));
    }

    [Fact]
    public void Directives_are_read_only_at_the_top()
    {
        var tree = SyntaxParser.Parse("# syntax=docker/dockerfile:1\n# check=skip=all\n\n# escape=`\nFROM a\n");

        Assert.Equal(new ParserDirectives("docker/dockerfile:1", null, "skip=all"), tree.Directives);
        Assert.Equal('\\', tree.EscapeToken);
    }

    [Fact]
    public void Unknown_directive_ends_the_directive_block()
    {
        var tree = SyntaxParser.Parse("# foo=bar\n# escape=`\nFROM a\n");

        Assert.Equal(ParserDirectives.None, tree.Directives);
    }

    [Fact]
    public void Repeated_directive_is_an_error_on_its_line()
    {
        var error = Assert.Throws<DockerfileException>(() => SyntaxParser.Parse("# escape=\\\n# ESCAPE=`\nFROM a\n"));

        Assert.Equal("Dockerfile:2: only one escape parser directive can be used", error.Message);
    }

    [Fact]
    public void Invalid_escape_token_is_an_error()
    {
        var error = Assert.Throws<DockerfileException>(() => SyntaxParser.Parse("# escape=x\nFROM a\n"));

        Assert.Equal("Dockerfile:1: invalid escape token 'x' does not match ` or \\", error.Message);
    }

    [Fact]
    public void Line_of_64_KiB_is_an_error()
    {
        var longLine = "RUN echo " + new string('a', 65536);

        var error = Assert.Throws<DockerfileException>(() => SyntaxParser.Parse("FROM a\n" + longLine + "\n"));

        Assert.Equal("Dockerfile:2: dockerfile line greater than max allowed size of 65535", error.Message);
    }

    [Fact]
    public void Line_just_under_the_limit_is_fine()
    {
        var word = new string('a', 65531);

        var tree = SyntaxParser.Parse("FROM a\nRUN " + word + "\n");

        Assert.Equal("RUN " + word, tree.Nodes[1].Original);
        Assert.Equal("(from \"a\")\n(run \"" + word + "\")\n", DumpFormatter.Format(tree));
    }

    [Fact]
    public void Comments_and_empty_lines_inside_continuations_are_skipped_and_warned_about()
    {
        var tree = SyntaxParser.Parse("FROM a\nRUN echo a \\\n# comment\n\n    b\n");

        Assert.Equal("(from \"a\")\n(run \"echo a     b\")\n", DumpFormatter.Format(tree));
        Assert.Equal(new SourceRange(2, 5), tree.Nodes[1].Range);
        var warning = Assert.Single(tree.Warnings);
        Assert.StartsWith("Empty continuation line found in: RUN echo a", warning.Message);
    }

    [Fact]
    public void Crlf_line_endings_and_byte_order_mark_are_accepted()
    {
        var bytes = "\uFEFFFROM a\r\nRUN echo \\\r\n  hi\r\n"u8.ToArray();

        Assert.Equal("(from \"a\")\n(run \"echo   hi\")\n", DumpFormatter.Format(SyntaxParser.Parse(bytes)));
    }

    [Fact]
    public void Unknown_instruction_keeps_one_empty_argument() => Assert.Equal("(from \"a\")\n(foo \"\")\n", Dump("FROM a\nFOO bar\n"));

    [Fact]
    public void Onbuild_trigger_has_its_own_flags() =>
        Assert.Equal("(onbuild (copy [\"--from=build\"] \"a\" \"b\"))\n", Dump("ONBUILD COPY --from=build a b\n"));

    [Fact]
    public void Quoted_flags_lose_their_quotes() =>
        Assert.Equal("(copy [\"--chown=a b\"] \"x\" \"y\")\n", Dump("COPY --chown=\"a b\" x y\n"));

    [Fact]
    public void Keeps_the_logical_line_as_original()
    {
        var node = SyntaxParser.Parse("FROM a\n  ADD   --chown=1 \\\n  x /y  \n").Nodes[1];

        Assert.Equal("ADD   --chown=1   x /y  ", node.Original);
        Assert.Equal("ADD", node.Keyword);
    }

    [Fact]
    public void Go_quoting_of_control_and_non_printing_characters() =>
        Assert.Equal("\"a\\x01\\u00a0\\\"\\\\\\t♥\"", GoQuote.Quote("a\u0001\u00a0\"\\\t♥"));
}
