namespace Tabula.Layers;

/// <summary>
/// A tar, layer or path that Tabula will not accept: malformed headers, unsafe or conflicting paths,
/// whiteouts where none may be, hardlinks to missing targets. The message names the entry and what is wrong.
/// </summary>
public class LayerFormatException : Exception
{
    public LayerFormatException(string message) : base(message) { }
    public LayerFormatException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The layer path the problem is about, when there is one.</summary>
    public string? EntryPath { get; init; }
}

/// <summary>Resolving a path met more symlinks than the limit (255, as BuildKit and securejoin allow): a loop, most likely.</summary>
public sealed class SymlinkLoopException(string path, int limit)
    : LayerFormatException($"too many levels of symbolic links resolving '/{path}' (more than {limit}); the symlinks there probably form a loop")
{
    public int Limit { get; } = limit;
}
