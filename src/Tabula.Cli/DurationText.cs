using System.Globalization;

namespace Tabula.Cli;

/// <summary>Durations as users type them: <c>20</c> (seconds), <c>20s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>; <c>0</c> means no limit.</summary>
public static class DurationText
{
    public static TimeSpan Parse(string text, string what)
    {
        var value = text.Trim();
        (string number, double unit) = value switch
        {
            _ when value.EndsWith("ms", StringComparison.Ordinal) => (value[..^2], 0.001),
            _ when value.EndsWith('s') => (value[..^1], 1.0),
            _ when value.EndsWith('m') => (value[..^1], 60.0),
            _ when value.EndsWith('h') => (value[..^1], 3600.0),
            _ => (value, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount * unit > TimeSpan.FromDays(1).TotalSeconds)
            throw new UsageException($"{what} '{text}' is not a duration: give seconds, or a number with ms, s, m or h (0 for no limit)");
        return amount == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(amount * unit);
    }
}
