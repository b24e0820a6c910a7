using Tabula.Dockerfile.Expansion;

namespace Tabula.Tests.Dockerfile;

public sealed class ShellLexerTests
{
    private static readonly ShellLexer Lexer = new('\\');

    private static VariableMap Vars(params string[] assignments) => VariableMap.FromAssignments(assignments);

    [Theory]
    [InlineData("${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", "xxx bbb ccc")]
    [InlineData("${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", "xxx  ccc")]
    [InlineData("${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", "aaa  ")]
    [InlineData("${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", "aaa bbb ")]
    [InlineData("${FOO?msg}", "xxx")]
    [InlineData("${BAR?msg}", "")]
    [InlineData("${FOO:?msg}", "xxx")]
    [InlineData("$FOO/${FOO}", "xxx/xxx")]
    public void Default_alternative_and_required_operators(string word, string expected) =>
        Assert.Equal(expected, Lexer.ProcessWord(word, Vars("FOO=xxx", "BAR=")));

    [Theory]
    [InlineData("${BAZ?no baz here}", "BAZ: no baz here")]
    [InlineData("${BAZ?}", "BAZ: is not allowed to be unset")]
    [InlineData("${BAR:?}", "BAR: is not allowed to be empty")]
    [InlineData("${BAR:?empty $FOO}", "BAR: empty xxx")]
    public void Required_operators_fail_with_their_message(string word, string message)
    {
        var error = Assert.Throws<ShellExpansionException>(() => Lexer.ProcessWord(word, Vars("FOO=xxx", "BAR=")));
        Assert.Equal($"failed to process \"{word}\": {message}", error.Message);
    }

    [Theory]
    [InlineData("${FOO#*x*y}", "xxyy", "y")]
    [InlineData("${FOO#*}", "xxyy", "xxyy")]
    [InlineData("${FOO##*x}", "xxyy", "yy")]
    [InlineData("${FOO#?\\?}", "???y", "?y")]
    [InlineData("${FOO%y}", "xxyy", "xxy")]
    [InlineData("${FOO%%y*}", "xxyy", "xx")]
    [InlineData("${FOO%%\\**}", "xx**", "xx")]
    [InlineData("${FOO%%\\**\\*}", "a***yy*", "a")]
    [InlineData("${FOO#()[]{\\}^$.\\*\\?|\\\\}", "()[]{}^$.*?|\\x", "x")]
    [InlineData("${FOO%.tar.gz}", "app.tar.gz", "app")]
    [InlineData("${FOO##*/}", "/usr/local/bin/tool", "tool")]
    [InlineData("${FOO%/*}", "/usr/local/bin/tool", "/usr/local/bin")]
    public void Prefix_and_suffix_trimming(string word, string value, string expected) =>
        Assert.Equal(expected, Lexer.ProcessWord(word, Vars("FOO=" + value)));

    [Theory]
    [InlineData("${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}", "/foo*/*/*.txt", "\\*/", "/foo.*/*.txt - /foo..*.txt")]
    [InlineData("${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}", "/tmp/tmp/bar.txt", "/tmp", "/tmp/bar.txt - /bar.txt")]
    [InlineData("${FOO//\\//\\/}", "/tmp/foo.txt", "", "\\/tmp\\/foo.txt")]
    [InlineData("${FOO/$NEEDLE/ww}", "xxyy", "", "wwxxyy")]
    [InlineData("${FOO///}", "xxyy", "", "xxyy")]
    [InlineData("${FOO//x/$$}", "xxyy", "", "yy")]
    [InlineData("${FOO//x/\\$0}", "xxyy", "", "\\x\\xyy")]
    [InlineData("${FOO/x/\\$0}", "xxyy", "", "\\$0xyy")]
    public void Pattern_replacement(string word, string value, string needle, string expected) =>
        Assert.Equal(expected, Lexer.ProcessWord(word, Vars("FOO=" + value, "NEEDLE=" + needle)));

    [Theory]
    [InlineData("${FOO:#x}")]
    [InlineData("${FOO:%x}")]
    [InlineData("${FOO=aaa}")]
    [InlineData("${FOO:=aaa}")]
    [InlineData("${FOO//ww}")]
    [InlineData("${FOO#\\x}")]
    [InlineData("${FOO")]
    [InlineData("${}")]
    public void Unsupported_or_broken_forms_fail(string word) =>
        Assert.Throws<ShellExpansionException>(() => Lexer.ProcessWord(word, Vars("FOO=xxyy")));

    [Fact]
    public void Reports_matched_and_unmatched_variables()
    {
        var expansion = Lexer.Process("${ABC:-.}${FOO%x}${ABC:-.} $UNSET", Vars("FOO=xxyy"));

        Assert.Equal(".xxyy. ", expansion.Result);
        Assert.Equal(["FOO"], expansion.Matched);
        Assert.Equal(["ABC", "UNSET"], expansion.Unmatched.Order());
    }

    [Fact]
    public void Skip_unset_keeps_references_to_unset_variables_as_written()
    {
        var lexer = new ShellLexer('\\') { SkipUnsetEnv = true };

        Assert.Equal("x $NOPE ${NOPE} ${NOPE:-d} set", lexer.ProcessWord("x $NOPE ${NOPE} ${NOPE:-d} $SET", Vars("SET=set")));
    }

    [Theory]
    [InlineData("`$FOO", "$FOO")]
    [InlineData("a` b", "a b")]
    [InlineData("\"`\"\"", "\"")]
    [InlineData("C:\\dir", "C:\\dir")]
    public void Backtick_escape_token(string word, string expected) =>
        Assert.Equal(expected, new ShellLexer('`').ProcessWord(word, Vars("FOO=xxx")));

    [Fact]
    public void Words_split_only_on_unquoted_blanks_after_expansion()
    {
        var words = Lexer.ProcessWords("a $LIST 'b c' \"$LIST\"", Vars("LIST=1  2"));

        Assert.Equal(["a", "1", "2", "b c", "1  2"], words);
    }

    [Fact]
    public void Expander_collects_unmatched_names_across_words()
    {
        var expander = new ShellWordExpander(Vars("A=1"));

        Assert.Equal("1", expander.ProcessWord("$A"));
        Assert.Equal(["80", "443"], expander.ProcessWords("$PORTS 80 ${TLS:-443}"));
        Assert.Equal(["PORTS", "TLS"], expander.UnmatchedVariables.Order());
    }

    [Fact]
    public void Heredoc_bodies_keep_quotes_and_expand_variables()
    {
        var expander = new ShellWordExpander(Vars("NAME=me"), escapeToken: '`');

        Assert.Equal("echo \"hi me\" '$' $NAME \\me\n", expander.ProcessHeredocBody("echo \"hi $NAME\" '$' \\$NAME \\\\$NAME\n"));
    }
}
