using Tabula.Dockerfile;
using Tabula.Dockerfile.Syntax;

namespace Tabula.Tests.Dockerfile;

public sealed class HeredocSyntaxTests
{
    private static IReadOnlyList<Heredoc> HeredocsOf(string instructionAndBody)
    {
        var tree = SyntaxParser.Parse("FROM alpine\n" + instructionAndBody + "\n");
        return tree.Nodes[1].Heredocs;
    }

    [Fact]
    public void Run_heredoc_keeps_body_with_line_endings_and_tabs()
    {
        var heredoc = Assert.Single(HeredocsOf("RUN <<INDENT\n\tfoo\n\tbar\nINDENT"));

        Assert.Equal(new Heredoc("INDENT", 0, Expand: true, Chomp: false, "\tfoo\n\tbar\n"), heredoc);
    }

    [Fact]
    public void Dash_form_strips_tabs_from_terminator_and_chomped_content()
    {
        var heredoc = Assert.Single(HeredocsOf("RUN <<-UNINDENT\n\tbaz\n\tquux\n\tUNINDENT"));

        Assert.True(heredoc.Chomp);
        Assert.Equal("\tbaz\n\tquux\n", heredoc.Content);
        Assert.Equal("baz\nquux\n", heredoc.ChompedContent);
    }

    [Theory]
    [InlineData("RUN <<-'NOEXPAND'\n\tdon't expand $NAME\nNOEXPAND", "NOEXPAND", false)]
    [InlineData("RUN <<\"EOF\"\nx\nEOF", "EOF", false)]
    [InlineData("RUN <<eo'f'\necho foo\neof", "eof", false)]
    [InlineData("RUN <<eo\\'f\necho foo\neo'f", "eo'f", true)]
    [InlineData("RUN <<'e'o\\'f\necho foo\neo'f", "eo'f", false)]
    [InlineData("RUN <<'one two'\necho bar\none two", "one two", false)]
    [InlineData("RUN <<$EOF\n$EOF", "$EOF", true)]
    [InlineData("RUN <<  EOF\nEOF", "EOF", true)]
    [InlineData("RUN <<  EOF  > foo\nEOF", "EOF", true)]
    [InlineData("RUN <<COMPLEX python3\nprint('hello world')\nCOMPLEX", "COMPLEX", true)]
    public void Quoting_any_part_of_the_name_turns_expansion_off(string instruction, string name, bool expand)
    {
        var heredoc = Assert.Single(HeredocsOf(instruction));

        Assert.Equal(name, heredoc.Name);
        Assert.Equal(expand, heredoc.Expand);
    }

    [Fact]
    public void Several_heredocs_on_one_line_read_their_bodies_in_order()
    {
        var heredocs = HeredocsOf("COPY <<X <<Y /dest\nY\nX\nX\nY");

        Assert.Equal(["X", "Y"], heredocs.Select(h => h.Name));
        Assert.Equal(["Y\n", "X\n"], heredocs.Select(h => h.Content));
    }

    [Fact]
    public void File_descriptor_and_flags_before_the_heredoc()
    {
        var tree = SyntaxParser.Parse("FROM a\nRUN --mount=type=cache,target=/foo 3<<EOF\necho hello\nEOF\n");

        var node = tree.Nodes[1];
        Assert.Equal(["--mount=type=cache,target=/foo"], node.Flags);
        Assert.Equal(3, Assert.Single(node.Heredocs).FileDescriptor);
        Assert.Equal(new SourceRange(2, 4), node.Range);
        Assert.Equal("(run [\"--mount=type=cache,target=/foo\"] \"3<<EOF\")", "(" + DumpFormatter.Format(node) + ")");
    }

    [Theory]
    [InlineData("USER <<INVALID\nINVALID")]
    [InlineData("RUN \"<<NOHEREDOC\"")]
    [InlineData("RUN ['<<EOF']")]
    [InlineData("RUN [\"<<EOF\"]")]
    [InlineData("CMD <<EOF")]
    public void Only_shell_form_run_copy_and_add_read_heredocs(string instruction) =>
        Assert.Empty(SyntaxParser.Parse("FROM a\n" + instruction + "\n").Nodes[1].Heredocs);

    [Fact]
    public void Comments_inside_a_heredoc_body_are_content()
    {
        var heredoc = Assert.Single(HeredocsOf("RUN <<COMMENT\n# internal comment\necho hi # trailing\nCOMMENT"));

        Assert.Equal("# internal comment\necho hi # trailing\n", heredoc.Content);
    }

    [Fact]
    public void Onbuild_trigger_may_carry_a_heredoc()
    {
        var heredoc = Assert.Single(HeredocsOf("ONBUILD RUN <<EOF\necho hi\nEOF"));

        Assert.Equal("echo hi\n", heredoc.Content);
    }

    [Fact]
    public void Missing_terminator_is_an_error_at_the_instruction()
    {
        var error = Assert.Throws<DockerfileException>(() => SyntaxParser.Parse("FROM a\nRUN <<EOF\necho hi\n", "build.Dockerfile"));

        Assert.Equal("build.Dockerfile:2: unterminated heredoc", error.Message);
        Assert.Equal(3, error.EndLine);
    }

    [Theory]
    [InlineData("<<EOF")]
    [InlineData("<<'EOF'")]
    [InlineData("<<\"EOF\"")]
    [InlineData("<<-EOF")]
    [InlineData("<<-'EOF'")]
    [InlineData("<<-\"EOF\"")]
    [InlineData("<<EO\"F\"")]
    [InlineData("<< EOF")]
    [InlineData("<<- EOF")]
    public void Valid_openers(string word) => Assert.Equal("EOF", HeredocDetector.Parse(word)?.Name);

    [Theory]
    [InlineData("")]
    [InlineData("EOF")]
    [InlineData("<<")]
    [InlineData("<<-")]
    [InlineData("<EOF")]
    [InlineData("<<<EOF")]
    [InlineData("<<EOF sh")]
    public void Not_openers(string word) => Assert.Null(HeredocDetector.Parse(word));

    [Theory]
    [InlineData("<<'EOF")]
    [InlineData("<<\"EOF")]
    [InlineData("<<EOF'")]
    [InlineData("<<EOF\"")]
    public void Unbalanced_quotes_in_an_opener_are_errors(string word) =>
        Assert.Throws<InstructionError>(() => HeredocDetector.Parse(word));

    [Fact]
    public void A_line_that_does_not_lex_has_no_heredocs()
    {
        // BuildKit ignores lexing errors when it looks for openers on the whole line.
        var tree = SyntaxParser.Parse("FROM a\nRUN <<'EOF\nEOF\n");

        Assert.Empty(tree.Nodes[1].Heredocs);
        Assert.Equal(3, tree.Nodes.Count);
    }

    [Theory]
    [InlineData("RUN <<- EOF", "")] // "<<-" and "EOF" lex as two words, so BuildKit finds no opener
    [InlineData("RUN <<-EOF", "EOF")]
    [InlineData("RUN << -EOF", "-EOF")]
    [InlineData("RUN 4<<EOF", "EOF")]
    [InlineData("RUN <<EOF <<EOF2", "EOF,EOF2")]
    [InlineData("RUN '<<EOF'", "")]
    [InlineData("RUN \"<<EOF\"", "")]
    public void Openers_found_on_a_line(string line, string names) =>
        Assert.Equal(names, string.Join(",", HeredocDetector.FromLine(line).Select(h => h.Name)));
}
