namespace Tabula.Layers;

/// <summary>
/// What the normal ADD/COPY path changes in every entry it writes: times clamped to the build epoch
/// (SOURCE_DATE_EPOCH / <c>--timestamp</c>), <c>--chown</c> and <c>--chmod</c>. The fast path may only pass an
/// archive through when these would change nothing.
/// </summary>
internal sealed record EntryRewrites
{
    public static EntryRewrites None { get; } = new();

    /// <summary>When set, times later than it become it.</summary>
    public DateTimeOffset? Epoch { get; init; }

    public Ownership? Chown { get; init; }

    /// <summary>The mode change for every entry but symlinks: octal bits, or a symbolic change of each entry's mode.</summary>
    public ModeChange? Chmod { get; init; }

    public DateTimeOffset ApplyTime(DateTimeOffset time) => LayerTimes.Clamp(LayerTimes.TruncateToSeconds(time), Epoch);

    public Ownership ApplyOwner(int uid, int gid) => Chown ?? new Ownership(uid, gid);

    /// <summary>
    /// A symlink is always 0777, as Linux makes every symlink and as BuildKit's and docker's layers (read back from
    /// disk) carry it, whatever mode an archive gave its entry; anything else takes --chmod, if given.
    /// </summary>
    public int ApplyMode(LayerEntryType type, int mode)
        => type == LayerEntryType.Symlink ? LayerModes.Symlink : Chmod?.Apply(mode, type == LayerEntryType.Directory) ?? mode;
}
