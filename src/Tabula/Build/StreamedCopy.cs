using Tabula.Layers;

namespace Tabula.Build;

/// <summary>
/// The COPY of one context directory onto an empty stage, streamed: each entry the walk finds goes straight into the
/// layer, so the copy holds no tree of its files (its memory does not grow with their number) and the compressors
/// get their first block while the walk goes on. The layer is the one the copy into a tree writes: the destination
/// and the directories above it are made by a tree as there, every entry below it by <see cref="CopiedEntries"/>, in
/// the walk's order, which is the layer's (<see cref="LayerPathOrder"/>); a later name of an inode becomes a hardlink
/// to the first, as the tree's emitter writes it. The stage keeps no tree after it, so a later step that needs one
/// rebuilds it from the layers: the build streams only a step after which none will.
/// </summary>
internal sealed class StreamedCopy(BuildContext context, Placement placement, DateTimeOffset defaultTime)
{
    /// <param name="lower">The stage's tree: empty, else the copy may meet what is there and must go through a tree.</param>
    /// <param name="source">The context directory (symlinks resolved) whose contents go to the destination.</param>
    /// <param name="destination">Receives the tar: a <see cref="LayerWriter"/>.</param>
    /// <returns>Docker's SIZE of what was written, as <see cref="LayerEmitter.WriteLayerAsync"/> gives it.</returns>
    public async Task<long> WriteAsync(FileTree lower, string source, Stream destination, CancellationToken cancellationToken)
    {
        if (lower.Entries.Any()) throw new InvalidOperationException("a streamed copy needs an empty stage");
        var directories = FileTree.Over(lower);
        var target = CopyTargets.Destination(directories, placement.Path, placement.Directories);
        placement.TakeSourceTime(directories, target, LayerTimes.ModTimeOf(new DirectoryInfo(context.FullPath(source))));
        directories.TouchChangedDirectories(defaultTime);

        var tar = new TarEntryWriter(destination);
        var sink = new LayerEmitter.TarSink(tar);
        await LayerEmitter.EmitAsync(directories, sink, cancellationToken).ConfigureAwait(false);
        var firstOfInode = new Dictionary<(uint, uint, ulong), LayerEntry>();
        foreach (var walked in ContextWalker.Walk(context, source, placement.Excludes))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = LayerPath.Join(target, walked.SourcePath);
            LayerPath.CheckName(LayerPath.ParentOf(path), walked.Name);
            if (Entry(walked, path, firstOfInode) is not var (entry, content)) continue;
            await sink.WriteAsync(entry, entry.Type == LayerEntryType.RegularFile && entry.Size > 0 ? content : null, cancellationToken).ConfigureAwait(false);
        }
        await tar.FinishAsync(cancellationToken).ConfigureAwait(false);
        return tar.FilesSize;
    }

    /// <summary>What <see cref="ContextCopier"/> puts into its tree for a walked entry, as the tree's emitter writes it; null for what a copy skips.</summary>
    private (LayerEntry Entry, IContentSource? Content)? Entry(ContextEntry walked, string path, Dictionary<(uint, uint, ulong), LayerEntry> firstOfInode)
    {
        var status = walked.Status;
        var rewrites = placement.Rewrites;
        if (status.IsSymlink) return (CopiedEntries.Symlink(rewrites, path, walked.FullPath), null);
        if (status.IsDirectory) return (CopiedEntries.Directory(rewrites, path, walked.FullPath), null);
        // Fifos and devices in a context are not copied, as BuildKit skips them.
        if (status.Type is not (Posix.TypeRegular or Posix.TypeSocket)) return null;
        if (status.Links <= 1) return (CopiedEntries.WalkedFile(rewrites, path, status), new DiskFileContent(walked.Folder, walked.Name, status.Size));
        if (status.Type == Posix.TypeSocket) return (CopiedEntries.File(rewrites, path, walked.FullPath) with { Size = 0 }, null);
        if (firstOfInode.TryGetValue(status.InodeKey, out var first))
            return (first with { Path = path, Type = LayerEntryType.Hardlink, LinkTarget = first.Path, Size = 0, DevMajor = 0, DevMinor = 0 }, null);
        var entry = CopiedEntries.File(rewrites, path, walked.FullPath);
        firstOfInode[status.InodeKey] = entry;
        return (entry, DiskFileContent.Of(walked.FullPath));
    }
}
