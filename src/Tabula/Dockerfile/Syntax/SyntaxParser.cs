using System.Text;

namespace Tabula.Dockerfile.Syntax;

/// <summary>
/// Step one of reading a Dockerfile: lines, directives, continuations, comments and
/// heredocs become a list of <see cref="SyntaxNode"/>s, with BuildKit's parser rules.
/// </summary>
internal static class SyntaxParser
{
    /// <summary>BuildKit reads lines with a 64 KiB buffer; a longer line is an error.</summary>
    public const int MaxLineBytes = 65535;

    public static SyntaxTree Parse(string text, string fileName = "Dockerfile") => new SyntaxReader(text, fileName).Read();

    /// <summary>Reads UTF-8 bytes; a leading byte-order mark is ignored.</summary>
    public static SyntaxTree Parse(ReadOnlySpan<byte> utf8, string fileName = "Dockerfile") =>
        Parse(Encoding.UTF8.GetString(utf8), fileName);
}
