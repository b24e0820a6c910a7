using System.Globalization;
using System.Text;

namespace Tabula.Dockerfile.Expansion;

/// <summary>Character classes as Go's <c>unicode</c> package defines them, for code points.</summary>
internal static class RuneText
{
    public static bool IsSpace(int codePoint) =>
        codePoint >= 0 && Rune.IsValid(codePoint) && Rune.IsWhiteSpace(new Rune(codePoint));

    public static bool IsLetter(int codePoint) =>
        codePoint >= 0 && Rune.IsValid(codePoint) && Rune.IsLetter(new Rune(codePoint));

    public static bool IsDigit(int codePoint) =>
        codePoint >= 0 && Rune.IsValid(codePoint) && Rune.GetUnicodeCategory(new Rune(codePoint)) == UnicodeCategory.DecimalDigitNumber;

    public static void Append(StringBuilder builder, int codePoint)
    {
        if (codePoint < 0)
            builder.Append('\uFFFD');
        else if (Rune.IsValid(codePoint))
            builder.Append(new Rune(codePoint).ToString());
        else
            builder.Append((char)codePoint); // a lone surrogate from the input goes back out unchanged
    }

    public static string ToText(int codePoint)
    {
        var builder = new StringBuilder(2);
        Append(builder, codePoint);
        return builder.ToString();
    }

    /// <summary>Reverses by scalar value, keeping surrogate pairs intact.</summary>
    public static string Reverse(string text)
    {
        var runes = text.EnumerateRunes().ToArray();
        Array.Reverse(runes);
        return string.Concat(runes.Select(r => r.ToString()));
    }
}
