using Tabula.Layers;

namespace Tabula.Runtime.Snapshots;

/// <summary>
/// The layer of a RUN step, read from the overlay's upper directory, which holds exactly what the command changed
/// (as moby's and containerd's overlay differs read it): entries in layer order with their metadata as the kernel
/// left it; a whiteout (0:0 character device) becomes <c>.wh.NAME</c>; an opaque directory (one the command removed
/// and made again) becomes, as BuildKit's overlay differ writes it, a whiteout for each name the lower layers showed
/// there and the new contents do not have, at every depth below it (an <c>.wh..wh..opq</c> marker only when the
/// lower layers are unknown); paths sharing an inode become a file and hardlinks to it; overlayfs' own xattrs are dropped.
/// Never follows a symlink. Times later than the build's timestamp are clamped to it.
/// Rootless (the overlay was mounted in a user namespace over rootless snapshots), every path on disk is the
/// caller's: a path keeps the owner and privileged xattrs recorded for it in the lower snapshots
/// (<see cref="RecordedMetadata"/>), a new one is root's, as the copy fallback decides; the records on the upper
/// directory are made to say the same, since it becomes the snapshot of the layer; bits the caller needs to read
/// are lent and taken back.
/// </summary>
internal static class UpperLayer
{
    public static async Task<long> WriteAsync(string upperDirectory, SnapshotView? lower, Stream destination, DateTimeOffset? clampTo, bool rootless, CancellationToken cancellationToken)
    {
        var writer = new TarEntryWriter(destination);
        var state = new State(writer, Path.GetFullPath(upperDirectory), lower, clampTo, rootless);
        await WriteChildrenAsync(state, "", replaced: false, cancellationToken).ConfigureAwait(false);
        await writer.FinishAsync(cancellationToken).ConfigureAwait(false);
        return writer.FilesSize;
    }

    /// <summary>True when the command changed nothing (the upper directory is empty).</summary>
    public static bool IsEmpty(string upperDirectory) => !Directory.EnumerateFileSystemEntries(upperDirectory).Any();

    private sealed record State(TarEntryWriter Writer, string Root, SnapshotView? Lower, DateTimeOffset? ClampTo, bool Rootless)
    {
        public Dictionary<(uint, uint, ulong), string> FirstPathOfInode { get; } = [];
    }

    /// <param name="replaced">True below an opaque directory: what the lower layers had here is gone unless written again.</param>
    private static async Task WriteChildrenAsync(State state, string directory, bool replaced, CancellationToken cancellationToken)
    {
        string full = directory.Length == 0 ? state.Root : Path.Combine(state.Root, directory);
        var names = Directory.EnumerateFileSystemEntries(full).Select(p => Path.GetFileName(p)!).ToList();
        replaced |= directory.Length > 0 && OverlaySnapshotWriter.IsOpaque(full);
        var markers = new HashSet<string>(StringComparer.Ordinal);
        if (replaced && state.Lower is { } lower)
        {
            var present = names.ToHashSet(StringComparer.Ordinal);
            foreach (var gone in lower.VisibleChildren(directory).Where(n => !present.Contains(n))) markers.Add(LayerPath.WhiteoutPrefix + gone);
        }
        else if (replaced && directory.Length > 0 && OverlaySnapshotWriter.IsOpaque(full))
        {
            markers.Add(LayerPath.OpaqueMarker);
        }
        names.AddRange(markers);
        names.Sort((a, b) => LayerPathOrder.CompareNames(a, b));
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string path = LayerPath.Join(directory, name);
            if (markers.Contains(name))
            {
                await state.Writer.WriteEntryAsync(LayerEmitter.Whiteout(path), cancellationToken).ConfigureAwait(false);
                continue;
            }
            string hostPath = Path.Combine(state.Root, path);
            if (Posix.Lstat(hostPath) is not { } status || status.Type == Posix.TypeSocket) continue;
            if (SnapshotView.IsWhiteout(status))
            {
                await state.Writer.WriteEntryAsync(LayerEmitter.Whiteout(LayerPath.Join(directory, LayerPath.WhiteoutPrefix + name)), cancellationToken).ConfigureAwait(false);
                continue;
            }
            var entry = RootfsDiff.EntryFor(path, hostPath, status);
            if (state.Rootless)
                entry = RecordedMetadata.Apply(entry, state.Lower?.FindPhysical(path) is { } was ? RecordedMetadata.Read(was) : RecordedMetadata.Recorded.Root);
            else if (entry.Xattrs.Keys.Any(OverlaySnapshotWriter.IsOverlayXattr))
                entry = entry with { Xattrs = LayerXattrs.From(entry.Xattrs.Where(x => !OverlaySnapshotWriter.IsOverlayXattr(x.Key))) };
            if (state.ClampTo is { } limit && entry.ModTime > limit) entry = entry with { ModTime = limit };
            if (!status.IsDirectory && status.Links > 1)
            {
                if (state.FirstPathOfInode.TryGetValue(status.InodeKey, out var first))
                {
                    var link = entry with { Type = LayerEntryType.Hardlink, LinkTarget = first, Size = 0, DevMajor = 0, DevMinor = 0 };
                    await state.Writer.WriteEntryAsync(link, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                state.FirstPathOfInode[status.InodeKey] = path;
            }
            if (state.Rootless) RecordedMetadata.Write(hostPath, entry, status);
            if (entry.Type == LayerEntryType.RegularFile && entry.Size > 0)
            {
                using var readable = state.Rootless ? OwnerAccess.Lend(hostPath, status, OwnerAccess.Read) : default;
                await using var content = new FileStream(hostPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                await state.Writer.WriteEntryAsync(entry, content, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await state.Writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
            }
            if (status.IsDirectory)
            {
                using var listable = state.Rootless ? OwnerAccess.Lend(hostPath, status, OwnerAccess.Read | OwnerAccess.Search) : default;
                await WriteChildrenAsync(state, path, replaced, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
