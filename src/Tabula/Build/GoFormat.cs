using System.Globalization;
using System.Text;

namespace Tabula.Build;

/// <summary>Go's <c>%v</c> renderings that BuildKit puts into history lines, reproduced so our history reads the same.</summary>
internal static class GoFormat
{
    /// <summary><c>%v</c> of a <c>[]string</c>: <c>[a b c]</c>.</summary>
    public static string List(IEnumerable<string> values) => "[" + string.Join(" ", values) + "]";

    /// <summary>Go's <c>time.Duration.String()</c>: <c>0s</c>, <c>1.5s</c>, <c>1m30s</c>, <c>500ms</c>, <c>1h0m0s</c>.</summary>
    public static string Duration(long nanoseconds)
    {
        if (nanoseconds == 0) return "0s";
        var sign = nanoseconds < 0 ? "-" : "";
        ulong u = (ulong)Math.Abs(nanoseconds);
        if (u < 1_000_000_000)
        {
            var (unit, scale) = u < 1_000 ? ("ns", 1UL) : u < 1_000_000 ? ("µs", 1_000UL) : ("ms", 1_000_000UL);
            return sign + Fraction(u, scale) + unit;
        }
        var text = new StringBuilder(sign);
        ulong hours = u / 3_600_000_000_000;
        ulong minutes = u / 60_000_000_000 % 60;
        ulong rest = u % 60_000_000_000;
        if (hours > 0) text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        if (hours > 0 || minutes > 0) text.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        return text.Append(Fraction(rest, 1_000_000_000)).Append('s').ToString();
    }

    private static string Fraction(ulong value, ulong scale)
    {
        var whole = (value / scale).ToString(CultureInfo.InvariantCulture);
        ulong remainder = value % scale;
        if (remainder == 0) return whole;
        var digits = remainder.ToString(CultureInfo.InvariantCulture).PadLeft((int)Math.Log10(scale), '0').TrimEnd('0');
        return whole + "." + digits;
    }
}
