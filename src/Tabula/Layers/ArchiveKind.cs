namespace Tabula.Layers;

/// <summary>What the first bytes of a file say it is: its compression, and whether what it decompresses to is a tar.</summary>
internal sealed record ArchiveKind(ArchiveCompression Compression, bool IsTar)
{
    /// <summary>A gzip or plain tar: the kinds whose bytes may serve as a layer blob as they are (DESIGN §5 fast path).</summary>
    public bool IsPassthroughCandidate => IsTar && Compression is ArchiveCompression.None or ArchiveCompression.Gzip;
}
