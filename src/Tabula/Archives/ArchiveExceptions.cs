namespace Tabula.Archives;

/// <summary>An archive that is not in a format Tabula reads, or is damaged or truncated. Nothing was stored.</summary>
public class ArchiveFormatException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>An archive that lacks a file its own metadata names.</summary>
public sealed class ArchiveEntryNotFoundException(string archive, string entry, string neededFor)
    : ArchiveFormatException($"{archive} has no '{entry}' (needed for {neededFor}); the archive is incomplete, write it again")
{
    public string Entry { get; } = entry;
}
