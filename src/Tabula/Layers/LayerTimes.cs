namespace Tabula.Layers;

/// <summary>Time rules of layer tars: whole seconds, optionally clamped to a build epoch.</summary>
internal static class LayerTimes
{
    /// <summary>The Unix seconds a <see cref="DateTimeOffset"/> holds: years 1 to 9999. Files and tars can carry more.</summary>
    public const long MinUnixSeconds = -62135596800, MaxUnixSeconds = 253402300799;

    public static bool InRange(long unixSeconds) => unixSeconds is >= MinUnixSeconds and <= MaxUnixSeconds;

    /// <summary>A file's mtime; one out of <see cref="DateTimeOffset"/>'s range is a <see cref="FileTimeOutOfRangeException"/> naming the file.</summary>
    public static DateTimeOffset ModTimeOf(FileSystemInfo info)
    {
        try
        {
            return info.LastWriteTimeUtc;
        }
        catch (ArgumentOutOfRangeException)
        {
            _ = Posix.Lstat(info.FullName); // throws the typed error with the path and the time
            throw;
        }
    }

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
