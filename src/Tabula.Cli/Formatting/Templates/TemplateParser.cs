using System.Globalization;
using System.Text;

namespace Tabula.Cli.Formatting.Templates;

/// <summary>
/// Parses the part of Go's text/template that docker's <c>--format</c> users write: text, <c>{{.Field.Chain}}</c>,
/// function calls and pipelines, string/number/bool literals, parentheses, <c>if</c>/<c>range</c>/<c>with</c> with
/// <c>else</c>, <c>{{- -}}</c> trimming and comments. Variables (<c>$x :=</c>) and template definitions are refused.
/// </summary>
internal sealed class TemplateParser
{
    private const string FieldOfNested = "@";

    private readonly List<Item> _items;
    private int _next;

    private TemplateParser(List<Item> items) => _items = items;

    /// <summary>Text between actions, or the inside of one action (already split into tokens).</summary>
    private sealed record Item(string? Text, List<string>? Tokens);

    public static IReadOnlyList<TemplateNode> Parse(string template)
    {
        var parser = new TemplateParser(Split(template));
        var nodes = parser.ParseList(out var stop);
        if (stop is not null) throw new TemplateException($"template: unexpected {{{{{stop}}}}}");
        return nodes;
    }

    private List<TemplateNode> ParseList(out string? stoppedAt)
    {
        var nodes = new List<TemplateNode>();
        while (_next < _items.Count)
        {
            var item = _items[_next++];
            if (item.Text is { } text)
            {
                nodes.Add(new TextNode(text));
                continue;
            }
            var tokens = item.Tokens!;
            if (tokens.Count == 0) continue; // a comment
            switch (tokens[0])
            {
                case "end":
                case "else":
                    if (tokens.Count > 1) throw new TemplateException($"template: unexpected '{tokens[1]}' after {tokens[0]}");
                    stoppedAt = tokens[0];
                    return nodes;
                case "if":
                case "range":
                case "with":
                    nodes.Add(ParseBlock(tokens));
                    break;
                case "define" or "template" or "block" or "break" or "continue":
                    throw new TemplateException($"template: {{{{{tokens[0]}}}}} is not supported in --format");
                default:
                    nodes.Add(new ActionNode(new TokenReader(tokens).ReadPipeline()));
                    break;
            }
        }
        stoppedAt = null;
        return nodes;
    }

    private BlockNode ParseBlock(List<string> tokens)
    {
        var kind = tokens[0] switch { "if" => BlockKind.If, "range" => BlockKind.Range, _ => BlockKind.With };
        if (tokens.Count == 1) throw new TemplateException($"template: missing value for {tokens[0]}");
        var pipeline = new TokenReader(tokens.Skip(1).ToList()).ReadPipeline();
        var body = ParseList(out var stop);
        IReadOnlyList<TemplateNode> otherwise = [];
        if (stop == "else")
        {
            otherwise = ParseList(out stop);
        }
        if (stop != "end") throw new TemplateException($"template: unexpected EOF: {{{{{tokens[0]}}}}} has no {{{{end}}}}");
        return new BlockNode(kind, pipeline, body, otherwise);
    }

    /// <summary>Splits text from actions, applying the <c>{{-</c> and <c>-}}</c> whitespace trims.</summary>
    private static List<Item> Split(string template)
    {
        var items = new List<Item>();
        int position = 0;
        bool trimNext = false;
        while (position < template.Length)
        {
            int open = template.IndexOf("{{", position, StringComparison.Ordinal);
            var text = open < 0 ? template[position..] : template[position..open];
            if (trimNext) text = text.TrimStart();
            if (open < 0)
            {
                if (text.Length > 0) items.Add(new Item(text, null));
                break;
            }
            int inner = open + 2;
            if (inner + 1 < template.Length && template[inner] == '-' && char.IsWhiteSpace(template[inner + 1]))
            {
                text = text.TrimEnd();
                inner += 2;
            }
            if (text.Length > 0) items.Add(new Item(text, null));
            var (tokens, close, trimAfter) = Tokenize(template, inner);
            items.Add(new Item(null, tokens));
            position = close;
            trimNext = trimAfter;
        }
        return items;
    }

    /// <summary>Tokens of one action from <paramref name="start"/>; returns where the text after <c>}}</c> starts.</summary>
    private static (List<string> Tokens, int After, bool TrimAfter) Tokenize(string template, int start)
    {
        var tokens = new List<string>();
        int i = start;
        while (true)
        {
            if (i >= template.Length) throw new TemplateException("template: unclosed action (no '}}')");
            char c = template[i];
            if (template.AsSpan(i).StartsWith("/*"))
            {
                int end = template.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0) throw new TemplateException("template: unclosed comment");
                i = end + 2;
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                if (template.AsSpan(i).TrimStart().StartsWith("-}}"))
                {
                    int dash = template.IndexOf("-}}", i, StringComparison.Ordinal);
                    return (tokens, dash + 3, true);
                }
                i++;
                continue;
            }
            if (template.AsSpan(i).StartsWith("}}")) return (tokens, i + 2, false);
            if (c is '|' or '(' or ')')
            {
                tokens.Add(c.ToString());
                i++;
                continue;
            }
            if (c is '"' or '`')
            {
                var (literal, end) = ReadString(template, i);
                tokens.Add(literal);
                i = end;
                continue;
            }
            if (c == '$') throw new TemplateException("template: variables ($) are not supported in --format");
            int startOfWord = i;
            while (i < template.Length && (char.IsAsciiLetterOrDigit(template[i]) || template[i] is '.' or '_' or '-' or '+'))
            {
                if (template[i] == '-' && template.AsSpan(i).StartsWith("-}}")) break;
                i++;
            }
            if (i == startOfWord) throw new TemplateException($"template: unexpected '{c}' in an action");
            var word = template[startOfWord..i];
            // A field right after ')' is the nested value's field, "(index .Items 0).Name"; marked so the reader can
            // tell it from a separate argument after a space.
            tokens.Add(word[0] == '.' && template[startOfWord - 1] == ')' ? FieldOfNested + word : word);
        }
    }

    /// <summary>A quoted literal, kept with a leading quote mark so the reader knows it is a string.</summary>
    private static (string Token, int End) ReadString(string template, int start)
    {
        char quote = template[start];
        var value = new StringBuilder("\"");
        int i = start + 1;
        while (i < template.Length && template[i] != quote)
        {
            char c = template[i++];
            if (quote == '"' && c == '\\' && i < template.Length)
            {
                char escaped = template[i++];
                value.Append(escaped switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => escaped });
                continue;
            }
            value.Append(c);
        }
        if (i >= template.Length) throw new TemplateException("template: unterminated quoted string");
        return (value.ToString(), i + 1);
    }

    /// <summary>Reads pipelines, commands and operands from one action's tokens.</summary>
    private sealed class TokenReader(List<string> tokens)
    {
        private int _at;

        public Pipeline ReadPipeline()
        {
            var pipeline = ReadPipelineUntil(closing: false);
            if (_at < tokens.Count) throw new TemplateException($"template: unexpected '{tokens[_at]}'");
            return pipeline;
        }

        private Pipeline ReadPipelineUntil(bool closing)
        {
            var commands = new List<TemplateCommand>();
            var operands = new List<Operand>();
            while (_at < tokens.Count)
            {
                var token = tokens[_at];
                if (token == ")")
                {
                    if (!closing) throw new TemplateException("template: unexpected ')'");
                    break;
                }
                _at++;
                if (token == "|")
                {
                    if (operands.Count == 0) throw new TemplateException("template: missing command before '|'");
                    commands.Add(new TemplateCommand(operands));
                    operands = [];
                    continue;
                }
                operands.Add(token == "(" ? ReadNested() : Operand(token));
            }
            if (operands.Count == 0) throw new TemplateException("template: missing value in an action");
            commands.Add(new TemplateCommand(operands));
            return new Pipeline(commands);
        }

        private NestedOperand ReadNested()
        {
            var inner = ReadPipelineUntil(closing: true);
            if (_at >= tokens.Count) throw new TemplateException("template: unclosed '('");
            _at++; // ')'
            var fields = new List<string>();
            if (_at < tokens.Count && tokens[_at].StartsWith(FieldOfNested, StringComparison.Ordinal))
                fields.AddRange(FieldNames(tokens[_at++][FieldOfNested.Length..]));
            return new NestedOperand(inner, fields);
        }

        private static Operand Operand(string token)
        {
            if (token.StartsWith('"')) return new LiteralOperand(token[1..]);
            if (token == ".") return new FieldOperand([]);
            if (token.StartsWith('.')) return new FieldOperand(FieldNames(token));
            if (token is "true" or "false") return new LiteralOperand(token == "true");
            if (token == "nil") return new LiteralOperand(null);
            if (char.IsAsciiDigit(token[0]) || token[0] is '-' or '+')
            {
                if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)) return new LiteralOperand(whole);
                if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)) return new LiteralOperand(real);
                throw new TemplateException($"template: bad number '{token}'");
            }
            if (token.Contains('.', StringComparison.Ordinal)) throw new TemplateException($"template: unexpected '{token}'");
            return new FunctionOperand(token);
        }

        private static string[] FieldNames(string token)
        {
            var names = token[1..].Split('.');
            if (names.Any(n => n.Length == 0)) throw new TemplateException($"template: bad field '{token}'");
            return names;
        }
    }
}
