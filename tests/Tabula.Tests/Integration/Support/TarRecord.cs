using System.Formats.Tar;

namespace Tabula.Tests.Integration.Support;

/// <summary>
/// One tar entry as a filesystem sees it, comparable across writers: the path has no <c>./</c>
/// prefix and no trailing <c>/</c> (the archive root is "."), GNU/V7 regular-file types read as
/// <see cref="TarEntryType.RegularFile"/>, and content is reduced to its sha256.
/// </summary>
public sealed record TarRecord(
    string Path,
    TarEntryType Type,
    UnixFileMode Mode,
    int Uid,
    int Gid,
    long Size,
    long ModifiedUnixSeconds,
    string? LinkTarget,
    string? Sha256)
{
    /// <summary>The permission bits as <c>chmod</c> takes them: "4755".</summary>
    public string OctalMode => Convert.ToString((int)Mode, 8).PadLeft(4, '0');

    /// <summary><c>RegularFile 4755 0/0 1234 @1700000000 usr/bin/x</c>, for messages.</summary>
    public override string ToString() =>
        $"{Type} {OctalMode} {Uid}/{Gid} {Size} @{ModifiedUnixSeconds} {Path}"
        + (LinkTarget is null ? "" : $" -> {LinkTarget}")
        + (Sha256 is null ? "" : $" sha256:{Sha256[..Math.Min(12, Sha256.Length)]}");
}
