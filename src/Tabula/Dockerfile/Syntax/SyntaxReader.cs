using System.Text;

namespace Tabula.Dockerfile.Syntax;

/// <summary>The state of one <see cref="SyntaxParser.Parse(string, string)"/> call.</summary>
internal sealed class SyntaxReader(string text, string fileName)
{
    private readonly List<string> lines = SourceLines.Split(text.StartsWith('\uFEFF') ? text[1..] : text);
    private readonly DirectiveScanner directives = new();
    private readonly List<SyntaxNode> nodes = [];
    private readonly List<SyntaxWarning> warnings = [];
    private char escapeToken = '\\';
    private List<string> comments = [];
    private bool lastLineWasDirective;

    // lines consumed so far; also the 1-based number of the last line read
    private int currentLine;

    public SyntaxTree Read()
    {
        while (TryReadLine(out var raw))
        {
            var token = ProcessLine(raw, stripLeadingWhitespace: true);
            CollectComment(raw);
            var startLine = currentLine;
            var endOfLine = !LineContinuation.TryTrim(token, escapeToken, out var joined);
            if (endOfLine && joined.Length == 0)
                continue;

            var logical = new StringBuilder(joined);
            var hasEmptyContinuationLine = false;
            while (!endOfLine && TryReadLine(out raw))
            {
                var next = ProcessLine(raw, stripLeadingWhitespace: false);
                if (IsComment(raw))
                    continue;
                if (next.TrimStart().Length == 0)
                {
                    hasEmptyContinuationLine = true;
                    continue;
                }
                endOfLine = !LineContinuation.TryTrim(next, escapeToken, out joined);
                logical.Append(joined);
            }

            var line = logical.ToString();
            if (hasEmptyContinuationLine)
                warnings.Add(new SyntaxWarning("Empty continuation line found in: " + line, currentLine));

            var node = Guard(startLine, () => NodeBuilder.FromLine(line, escapeToken));
            var heredocs = NodeBuilder.CanContainHeredoc(node) && line.Contains("<<")
                ? ReadHeredocs(line, startLine)
                : [];
            nodes.Add(node with { Heredocs = heredocs, Range = new SourceRange(startLine, currentLine), Comments = comments });
            comments = [];
        }

        if (nodes.Count == 0)
            throw new DockerfileException(fileName, Math.Max(1, currentLine), "file with no instructions");
        return new SyntaxTree(fileName, nodes, directives.Directives, escapeToken, warnings);
    }

    private List<Heredoc> ReadHeredocs(string line, int startLine)
    {
        var openers = Guard(startLine, () => HeredocDetector.FromLine(line));
        var heredocs = new List<Heredoc>(openers.Count);
        foreach (var opener in openers)
        {
            var body = new StringBuilder();
            var terminated = false;
            while (TryReadLine(out var raw))
            {
                var candidate = SourceLines.TrimNewline(raw);
                if (opener.Chomp)
                    candidate = candidate.TrimStart('\t');
                if (candidate == opener.Name)
                {
                    terminated = true;
                    break;
                }
                body.Append(raw);
            }
            if (!terminated)
                throw new DockerfileException(new SourceLocation(fileName, startLine, currentLine), "unterminated heredoc");
            heredocs.Add(opener with { Content = body.ToString() });
        }
        return heredocs;
    }

    private bool TryReadLine(out string raw)
    {
        if (currentLine >= lines.Count)
        {
            raw = "";
            return false;
        }
        raw = lines[currentLine++];
        if (Encoding.UTF8.GetByteCount(raw.TrimEnd('\n')) > SyntaxParser.MaxLineBytes)
            throw new DockerfileException(fileName, currentLine,
                $"dockerfile line greater than max allowed size of {SyntaxParser.MaxLineBytes}");
        return true;
    }

    /// <summary>Trims the line ending (and leading blanks of a first line), applies directives, blanks out comments.</summary>
    private string ProcessLine(string raw, bool stripLeadingWhitespace)
    {
        var token = SourceLines.TrimNewline(raw);
        if (stripLeadingWhitespace)
            token = token.TrimStart();
        var directive = Guard(currentLine, () => directives.ScanLine(token));
        lastLineWasDirective = directive is not null;
        if (directive is ("escape", var value))
            escapeToken = Guard(currentLine, () => ParseEscapeToken(value));
        return IsComment(token) ? "" : token;
    }

    /// <summary>BuildKit's comment run before an instruction: a bare <c>#</c> clears it, a directive is no comment.</summary>
    private void CollectComment(string raw)
    {
        var line = SourceLines.TrimNewline(raw).TrimStart();
        if (!line.StartsWith('#') || lastLineWasDirective)
            return;
        var comment = line[1..].Trim();
        if (comment.Length == 0)
            comments = [];
        else
            comments.Add(comment);
    }

    private static char ParseEscapeToken(string value) =>
        value is "`" or "\\"
            ? value[0]
            : throw new InstructionError($"invalid escape token '{value}' does not match ` or \\");

    private static bool IsComment(string line) => line.TrimStart().StartsWith('#');

    private T Guard<T>(int startLine, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (InstructionError e)
        {
            throw new DockerfileException(new SourceLocation(fileName, startLine, Math.Max(startLine, currentLine)), e.Message, e);
        }
    }
}
