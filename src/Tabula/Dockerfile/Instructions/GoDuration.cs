using System.Globalization;
using Tabula.Dockerfile.Syntax;

namespace Tabula.Dockerfile.Instructions;

/// <summary>
/// A duration in nanoseconds, parsed like Go's <c>time.ParseDuration</c> (<c>1h30m</c>,
/// <c>1.5s</c>, <c>300ms</c>…). Image configs store healthcheck durations in nanoseconds.
/// </summary>
internal readonly record struct GoDuration(long Nanoseconds)
{
    public static readonly GoDuration Zero = new(0);

    public TimeSpan ToTimeSpan() => TimeSpan.FromTicks(Nanoseconds / 100);

    public override string ToString() => Nanoseconds.ToString(CultureInfo.InvariantCulture) + "ns";

    /// <exception cref="FormatException">With Go's wording, e.g. <c>time: missing unit in duration "5"</c>.</exception>
    public static GoDuration Parse(string text)
    {
        var original = text;
        var s = text;
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s == "0")
            return Zero;
        if (s.Length == 0)
            throw Invalid(original);

        const ulong limit = 1UL << 63;
        ulong total = 0;
        while (s.Length > 0)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
                throw Invalid(original);

            var before = s.Length;
            var whole = LeadingInt(ref s, original);
            var hasWhole = before != s.Length;

            ulong fraction = 0;
            var scale = 1d;
            var hasFraction = false;
            if (s.Length > 0 && s[0] == '.')
            {
                s = s[1..];
                before = s.Length;
                (fraction, scale) = LeadingFraction(ref s);
                hasFraction = before != s.Length;
            }
            if (!hasWhole && !hasFraction)
                throw Invalid(original);

            var unitLength = 0;
            while (unitLength < s.Length && !(s[unitLength] == '.' || char.IsAsciiDigit(s[unitLength])))
                unitLength++;
            if (unitLength == 0)
                throw new FormatException($"time: missing unit in duration {GoQuote.Quote(original)}");
            var unitText = s[..unitLength];
            s = s[unitLength..];
            var unit = UnitInNanoseconds(unitText)
                ?? throw new FormatException($"time: unknown unit {GoQuote.Quote(unitText)} in duration {GoQuote.Quote(original)}");

            if (whole > limit / unit)
                throw Invalid(original);
            var value = whole * unit;
            if (fraction > 0)
            {
                value += (ulong)(fraction * (unit / scale));
                if (value > limit)
                    throw Invalid(original);
            }
            total += value;
            if (total > limit)
                throw Invalid(original);
        }
        if (negative)
            return new GoDuration(total == limit ? long.MinValue : -(long)total);
        if (total > limit - 1)
            throw Invalid(original);
        return new GoDuration((long)total);
    }

    private static ulong? UnitInNanoseconds(string unit) => unit switch
    {
        "ns" => 1UL,
        "us" or "\u00b5s" or "\u03bcs" => 1_000UL,
        "ms" => 1_000_000UL,
        "s" => 1_000_000_000UL,
        "m" => 60_000_000_000UL,
        "h" => 3_600_000_000_000UL,
        _ => null,
    };

    private static ulong LeadingInt(ref string s, string original)
    {
        ulong value = 0;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (value > (1UL << 63) / 10)
                throw Invalid(original);
            value = value * 10 + (ulong)(s[i] - '0');
            if (value > 1UL << 63)
                throw Invalid(original);
        }
        s = s[i..];
        return value;
    }

    private static (ulong Value, double Scale) LeadingFraction(ref string s)
    {
        ulong value = 0;
        var scale = 1d;
        var overflow = false;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (overflow)
                continue;
            if (value > (long.MaxValue - 1) / 10)
            {
                overflow = true; // digits past what fits cannot change the result
                continue;
            }
            var next = value * 10 + (ulong)(s[i] - '0');
            if (next > long.MaxValue)
            {
                overflow = true;
                continue;
            }
            value = next;
            scale *= 10;
        }
        s = s[i..];
        return (value, scale);
    }

    private static FormatException Invalid(string original) => new($"time: invalid duration {GoQuote.Quote(original)}");
}
