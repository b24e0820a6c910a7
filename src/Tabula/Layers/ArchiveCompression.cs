namespace Tabula.Layers;

/// <summary>The compressions <c>ADD</c> recognises in a local archive, by content (never by file name).</summary>
public enum ArchiveCompression
{
    None,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}
