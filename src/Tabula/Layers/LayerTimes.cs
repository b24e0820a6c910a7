namespace Tabula.Layers;

/// <summary>Time rules of layer tars: whole seconds, optionally clamped to a build epoch.</summary>
public static class LayerTimes
{
    /// <summary>Rounds toward negative infinity to a whole second (Go's <c>Time.Truncate(time.Second)</c>).</summary>
    public static DateTimeOffset TruncateToSeconds(DateTimeOffset time)
    {
        long ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    /// <summary><c>min(time, epoch)</c> when an epoch is given (SOURCE_DATE_EPOCH semantics), else the time unchanged.</summary>
    public static DateTimeOffset Clamp(DateTimeOffset time, DateTimeOffset? epoch)
        => epoch is { } limit && time > limit ? TruncateToSeconds(limit) : time;

    public static bool IsWholeSecond(DateTimeOffset time) => time.UtcTicks % TimeSpan.TicksPerSecond == 0;
}
