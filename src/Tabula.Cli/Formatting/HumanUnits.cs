using System.Globalization;

namespace Tabula.Cli.Formatting;

/// <summary>Sizes and ages printed exactly as the docker CLI prints them (go-units).</summary>
public static class HumanUnits
{
    private static readonly string[] DecimalUnits = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

    /// <summary>go-units <c>HumanSizeWithPrecision(size, 3)</c>: 7.37MB, 1.99MB, 0B.</summary>
    public static string Size(double bytes)
    {
        int unit = 0;
        while (bytes >= 1000 && unit < DecimalUnits.Length - 1)
        {
            bytes /= 1000;
            unit++;
        }
        return bytes.ToString("G3", CultureInfo.InvariantCulture) + DecimalUnits[unit];
    }

    /// <summary>go-units <c>HumanDuration</c>, the "2 minutes" of "2 minutes ago".</summary>
    public static string Duration(TimeSpan d)
    {
        long seconds = (long)d.TotalSeconds;
        if (seconds < 1) return "Less than a second";
        if (seconds == 1) return "1 second";
        if (seconds < 60) return $"{seconds} seconds";
        long minutes = (long)d.TotalMinutes;
        if (minutes == 1) return "About a minute";
        if (minutes < 60) return $"{minutes} minutes";
        long hours = (long)Math.Round(d.TotalHours, MidpointRounding.AwayFromZero);
        if (hours == 1) return "About an hour";
        if (hours < 48) return $"{hours} hours";
        if (hours < 24 * 7 * 2) return $"{hours / 24} days";
        if (hours < 24 * 30 * 2) return $"{hours / 24 / 7} weeks";
        if (hours < 24 * 365 * 2) return $"{hours / 24 / 30} months";
        return $"{(long)(d.TotalHours / 24 / 365)} years";
    }

    public static string Ago(DateTimeOffset? when, DateTimeOffset now)
        => when is { } t && t.Year > 1 ? Duration(now - t) + " ago" : "N/A";

    /// <summary>
    /// Go's <c>Time.String()</c> in UTC (<c>2024-01-02 03:04:05 +0000 UTC</c>), which docker prints as CreatedAt;
    /// fractions of a second are left out, as docker's whole-second image times have none. Empty when unknown.
    /// </summary>
    public static string GoTimeString(DateTimeOffset? when)
        => when is { } time ? time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " +0000 UTC" : "";

    /// <summary>docker's <c>Ellipsis</c>: cut to <paramref name="max"/> runes, the last one an ellipsis.</summary>
    public static string Ellipsis(string text, int max)
    {
        var runes = text.EnumerateRunes().ToList();
        if (runes.Count <= max) return text;
        return string.Concat(runes.Take(max - 1).Select(r => r.ToString())) + "…";
    }
}
