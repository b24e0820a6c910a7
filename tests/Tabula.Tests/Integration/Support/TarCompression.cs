namespace Tabula.Tests.Integration.Support;

/// <summary>How a fixture archive is compressed, each by the system's own tool.</summary>
public enum TarCompression
{
    None,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

public static class TarCompressionExtensions
{
    /// <summary>The usual file-name ending: <c>.tar</c>, <c>.tar.gz</c>, …</summary>
    public static string Extension(this TarCompression compression) => compression switch
    {
        TarCompression.None => ".tar",
        TarCompression.Gzip => ".tar.gz",
        TarCompression.Bzip2 => ".tar.bz2",
        TarCompression.Xz => ".tar.xz",
        TarCompression.Zstd => ".tar.zst",
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, null),
    };

    /// <summary>
    /// The compressor's command for <c>tar --use-compress-program</c>, chosen to be deterministic:
    /// <c>gzip -n</c> stores no name or time, xz and zstd run on one thread.
    /// </summary>
    public static string? CompressProgram(this TarCompression compression) => compression switch
    {
        TarCompression.None => null,
        TarCompression.Gzip => "gzip -n -6",
        TarCompression.Bzip2 => "bzip2 -9",
        TarCompression.Xz => "xz -6 -T1",
        TarCompression.Zstd => "zstd -3 -T1 -q",
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, null),
    };
}
