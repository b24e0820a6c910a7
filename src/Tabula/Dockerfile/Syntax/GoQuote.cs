using System.Globalization;
using System.Text;

namespace Tabula.Dockerfile.Syntax;

/// <summary>Go's <c>strconv.Quote</c> and <c>%q</c> of a string slice, which BuildKit's dump format uses.</summary>
internal static class GoQuote
{
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var rune in value.EnumerateRunes())
            AppendRune(builder, rune);
        return builder.Append('"').ToString();
    }

    /// <summary><c>fmt.Sprintf("%q", []string{…})</c>: <c>["a" "b"]</c>, items separated by one space.</summary>
    public static string QuoteList(IEnumerable<string> values) => "[" + string.Join(" ", values.Select(Quote)) + "]";

    private static void AppendRune(StringBuilder builder, Rune rune)
    {
        var value = rune.Value;
        switch (value)
        {
            case '"': builder.Append("\\\""); return;
            case '\\': builder.Append("\\\\"); return;
        }
        if (IsPrintable(rune))
        {
            builder.Append(rune.ToString());
            return;
        }
        switch (value)
        {
            case '\a': builder.Append("\\a"); break;
            case '\b': builder.Append("\\b"); break;
            case '\f': builder.Append("\\f"); break;
            case '\n': builder.Append("\\n"); break;
            case '\r': builder.Append("\\r"); break;
            case '\t': builder.Append("\\t"); break;
            case '\v': builder.Append("\\v"); break;
            case < ' ' or 0x7f: builder.Append(CultureInfo.InvariantCulture, $"\\x{value:x2}"); break;
            case < 0x10000: builder.Append(CultureInfo.InvariantCulture, $"\\u{value:x4}"); break;
            default: builder.Append(CultureInfo.InvariantCulture, $"\\U{value:x8}"); break;
        }
    }

    /// <summary>Go's <c>unicode.IsPrint</c>: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    private static bool IsPrintable(Rune rune)
    {
        if (rune.Value == ' ')
            return true;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator => false,
            _ => true,
        };
    }
}
