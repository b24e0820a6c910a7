namespace Tabula.Layers;

/// <summary>How <c>ADD archive dest</c> extracts: the rewrites of every entry and the metadata of directories it must create.</summary>
internal sealed record ExtractOptions
{
    public EntryRewrites Rewrites { get; init; } = EntryRewrites.None;

    /// <summary>For the destination and for parents the archive does not list.</summary>
    public required DirectoryDefaults ImpliedDirectories { get; init; }
}
