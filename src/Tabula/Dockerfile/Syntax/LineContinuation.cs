namespace Tabula.Dockerfile.Syntax;

/// <summary>
/// A line continues on the next one when its last non-blank character is the escape token
/// and that token is not itself escaped (BuildKit's rule; blanks after the token are allowed).
/// </summary>
internal static class LineContinuation
{
    /// <summary>True when <paramref name="line"/> continues; <paramref name="joined"/> is then the line without the token and trailing blanks.</summary>
    public static bool TryTrim(string line, char escapeToken, out string joined)
    {
        joined = line;
        var end = line.Length;
        while (end > 0 && line[end - 1] is ' ' or '\t')
            end--;
        if (end == 0 || line[end - 1] != escapeToken)
            return false;
        if (end >= 2 && line[end - 2] == escapeToken)
            return false;
        joined = line[..(end - 1)];
        return true;
    }
}
