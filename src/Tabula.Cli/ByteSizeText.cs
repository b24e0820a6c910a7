using System.Globalization;

namespace Tabula.Cli;

/// <summary>
/// Byte sizes as users type them, read as dive reads its thresholds (go-humanize <c>ParseBytes</c>): <c>20MB</c> and
/// <c>20M</c> are 20,000,000 bytes, <c>20MiB</c> is 20 × 2²⁰, a bare number is bytes.
/// </summary>
public static class ByteSizeText
{
    private static readonly (string Suffix, double Factor)[] Units =
    [
        ("kib", 1L << 10), ("mib", 1L << 20), ("gib", 1L << 30), ("tib", 1L << 40),
        ("kb", 1e3), ("mb", 1e6), ("gb", 1e9), ("tb", 1e12),
        ("ki", 1L << 10), ("mi", 1L << 20), ("gi", 1L << 30), ("ti", 1L << 40),
        ("k", 1e3), ("m", 1e6), ("g", 1e9), ("t", 1e12), ("b", 1),
    ];

    public static long Parse(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim().ToLowerInvariant();
        double factor = 1;
        foreach (var (suffix, unit) in Units)
        {
            if (!value.EndsWith(suffix, StringComparison.Ordinal)) continue;
            value = value[..^suffix.Length].TrimEnd();
            factor = unit;
            break;
        }
        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount * factor >= long.MaxValue)
            throw new UsageException($"{what} '{text}' is not a size: give bytes, or a number with kB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024)");
        return (long)Math.Round(amount * factor);
    }
}
