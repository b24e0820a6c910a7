using System.Globalization;
using System.Text;
using Tabula.Layers;

namespace Tabula.Runtime.Snapshots;

/// <summary>
/// What a rootless snapshot cannot hold on disk, kept beside each file and directory in <c>user.</c> xattrs: a normal
/// user cannot give a path another owner nor set a <c>security.</c> or <c>trusted.</c> xattr, so the owner the image
/// records (when not root) goes in <c>user.tabula.owner</c> (<c>UID:GID</c>) and each privileged xattr in
/// <c>user.tabula.x.NAME</c>. The kernel's overlay copies <c>user.</c> xattrs up with a file, and a RUN's layer takes
/// a changed path's owner and privileged xattrs from these records, as the copy fallback takes them from the tree
/// it unpacked. Symlinks and special files can hold no <c>user.</c> xattr: theirs are recorded as root's, with none.
/// </summary>
internal static class RecordedMetadata
{
    public const string OwnerXattr = "user.tabula.owner";
    private const string PrivilegedPrefix = "user.tabula.x.";
    private const string OwnPrefix = "user.tabula.";

    /// <summary>The owner and privileged xattrs an entry of the image has (root's and none when nothing is recorded).</summary>
    public sealed record Recorded(int Uid, int Gid, IReadOnlyList<KeyValuePair<string, byte[]>> Privileged)
    {
        public static Recorded Root { get; } = new(0, 0, []);
    }

    /// <summary>True for the names these records use (never part of a layer).</summary>
    public static bool IsRecord(string xattr) => xattr.StartsWith(OwnPrefix, StringComparison.Ordinal);

    public static bool IsUserXattr(string xattr) => xattr.StartsWith("user.", StringComparison.Ordinal);

    /// <summary>Whether a path of this type can carry the records.</summary>
    public static bool CanHold(LayerEntryType type) => type is LayerEntryType.RegularFile or LayerEntryType.Directory;

    /// <summary>The records of <paramref name="full"/> (a path of a rootless snapshot or upper directory).</summary>
    public static Recorded Read(string full)
    {
        int uid = 0, gid = 0;
        var privileged = new List<KeyValuePair<string, byte[]>>();
        foreach (var (name, value) in Posix.GetXattrs(full))
        {
            if (name == OwnerXattr && Encoding.ASCII.GetString(value).Split(':') is [var u, var g]
                && int.TryParse(u, NumberStyles.None, CultureInfo.InvariantCulture, out var parsedUid)
                && int.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out var parsedGid))
                (uid, gid) = (parsedUid, parsedGid);
            else if (name.StartsWith(PrivilegedPrefix, StringComparison.Ordinal))
                privileged.Add(new(name[PrivilegedPrefix.Length..], value));
        }
        return new Recorded(uid, gid, privileged);
    }

    /// <summary>
    /// Makes the records on <paramref name="full"/> say what <paramref name="entry"/> says: sets those it needs,
    /// removes the others. Owner write is lent for the moment when the path lacks it (the kernel asks for it).
    /// </summary>
    public static void Write(string full, LayerEntry entry, FileStatus status)
    {
        if (!CanHold(entry.Type)) return;
        var wanted = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (entry.Uid != 0 || entry.Gid != 0)
            wanted[OwnerXattr] = Encoding.ASCII.GetBytes(entry.Uid.ToString(CultureInfo.InvariantCulture) + ":" + entry.Gid.ToString(CultureInfo.InvariantCulture));
        foreach (var (name, value) in entry.Xattrs)
            if (!IsUserXattr(name)) wanted[PrivilegedPrefix + name] = value;
        var present = Posix.GetXattrs(full).Where(x => IsRecord(x.Key)).ToDictionary(x => x.Key, x => x.Value, StringComparer.Ordinal);
        var stale = present.Keys.Where(k => !wanted.ContainsKey(k)).ToList();
        var missing = wanted.Where(w => !present.TryGetValue(w.Key, out var v) || !v.AsSpan().SequenceEqual(w.Value)).ToList();
        if (stale.Count == 0 && missing.Count == 0) return;
        using var writable = OwnerAccess.Lend(full, status, OwnerAccess.Write);
        foreach (var name in stale) Posix.RemoveXattr(full, name);
        foreach (var (name, value) in missing) Posix.SetXattr(full, name, value);
    }

    /// <summary>
    /// The entry as the image has it, from what the disk shows and the records of the path it had in the image
    /// (<see cref="Recorded.Root"/> for a path the command made): its owner and privileged xattrs from the records,
    /// its <c>user.</c> xattrs (records aside) from the disk.
    /// </summary>
    public static LayerEntry Apply(LayerEntry onDisk, Recorded recorded)
    {
        ArgumentNullException.ThrowIfNull(onDisk);
        ArgumentNullException.ThrowIfNull(recorded);
        var xattrs = onDisk.Xattrs.Where(x => IsUserXattr(x.Key) && !IsRecord(x.Key) && !OverlaySnapshotWriter.IsOverlayXattr(x.Key)).Concat(recorded.Privileged);
        return onDisk with { Uid = recorded.Uid, Gid = recorded.Gid, Xattrs = LayerXattrs.From(xattrs) };
    }
}
