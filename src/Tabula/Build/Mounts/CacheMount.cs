namespace Tabula.Build.Mounts;

/// <summary>
/// <c>type=cache</c>: a directory kept in the store between builds, named by <paramref name="Id"/> (default: the target
/// as written, cleaned). As in BuildKit, the id alone does not name one cache: a cache started from a stage
/// (<paramref name="From"/>) or created with a <paramref name="Mode"/>, <paramref name="Uid"/> or <paramref name="Gid"/>
/// (when no <paramref name="Source"/> subdirectory is mounted) is another cache than the plain one of the same id.
/// </summary>
internal sealed record CacheMount(string Target, string Id, string Source, string? From, CacheSharing Sharing, bool ReadOnly, int? Mode, int? Uid, int? Gid) : RunMount
{
    public override string KeyText =>
        $"cache target={Target} id={Id} source={Source} from={From} sharing={Sharing} ro={ReadOnly} mode={Mode} uid={Uid} gid={Gid}";

    /// <summary>Mode, uid and gid shape the cache only where BuildKit applies them: to a new cache's root, with no source=.</summary>
    public bool SetsRoot => Source.Length == 0 && (Mode is not null || Uid is not null || Gid is not null);
}
