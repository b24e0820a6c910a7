using System.Globalization;
using System.Text.Encodings.Web;

namespace Tabula.Oci;

/// <summary>
/// Escapes JSON strings exactly as Go's encoding/json does (docker, BuildKit, skopeo): <c>\"</c>, <c>\\</c>,
/// <c>\n</c>, <c>\r</c>, <c>\t</c>, other control characters and <c>&lt; &gt; &amp;</c> U+2028 U+2029 as lowercase
/// <c>\u00xx</c>, everything else as raw UTF-8. The same document then has the same bytes, and so the same digest,
/// whichever of these tools wrote it.
/// </summary>
internal sealed class GoJsonEncoder : JavaScriptEncoder
{
    public static GoJsonEncoder Instance { get; } = new();

    private GoJsonEncoder() { }

    public override int MaxOutputCharactersPerInputCharacter => 6;

    /// <summary>The escape Go writes for a character, or null when it is written as it is.</summary>
    public static string? EscapeOf(int scalar) => scalar switch
    {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        < ' ' or '<' or '>' or '&' or 0x2028 or 0x2029 => "\\u" + scalar.ToString("x4", CultureInfo.InvariantCulture),
        _ => null,
    };

    public override bool WillEncode(int unicodeScalar) => EscapeOf(unicodeScalar) is not null;

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (int i = 0; i < textLength; i++)
            if (WillEncode(text[i])) return i;
        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var escaped = EscapeOf(unicodeScalar);
        if (escaped is null)
        {
            // Not escaped: written as itself (a supplementary character takes two UTF-16 units).
            var text = char.ConvertFromUtf32(unicodeScalar);
            if (text.Length > bufferLength) { numberOfCharactersWritten = 0; return false; }
            for (int i = 0; i < text.Length; i++) buffer[i] = text[i];
            numberOfCharactersWritten = text.Length;
            return true;
        }
        if (escaped.Length > bufferLength) { numberOfCharactersWritten = 0; return false; }
        for (int i = 0; i < escaped.Length; i++) buffer[i] = escaped[i];
        numberOfCharactersWritten = escaped.Length;
        return true;
    }
}
