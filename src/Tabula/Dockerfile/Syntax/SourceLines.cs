namespace Tabula.Dockerfile.Syntax;

/// <summary>Splits text into lines that keep their line endings (heredoc bodies need them verbatim).</summary>
internal static class SourceLines
{
    public static List<string> Split(string text)
    {
        var lines = new List<string>();
        var start = 0;
        while (start < text.Length)
        {
            var newline = text.IndexOf('\n', start);
            var end = newline < 0 ? text.Length : newline + 1;
            lines.Add(text[start..end]);
            start = end;
        }
        return lines;
    }

    public static string TrimNewline(string line) => line.TrimEnd('\r', '\n');
}
