using Tabula.Layers;

namespace Tabula.Build;

/// <summary>
/// Copies build-context files into a file tree with COPY's rules: a directory's contents (not the directory) go to
/// the destination, symlinks inside are copied as symlinks, a symlink named as the source is followed inside the
/// context, hard links stay linked, files keep their mode and mtime and become root-owned, and ADD extracts local
/// tar archives. One copier serves one source of an instruction, as BuildKit runs one copy per source.
/// </summary>
internal sealed class ContextCopier(BuildContext context, FileTree upper, Placement placement, BuildSession session)
{
    private readonly Dictionary<(uint, uint, ulong), string> _firstPathOfInode = [];

    /// <param name="match">The context path a source named.</param>
    /// <param name="kept">With <c>--parents</c>, the part of <paramref name="match"/> recreated under the destination
    /// (what follows a <c>/./</c> pivot, else all of it).</param>
    public async Task CopyAsync(string match, string kept, bool isAdd, bool forceDirectory, CancellationToken cancellationToken)
    {
        var resolved = context.Resolve(match);
        var full = context.FullPath(resolved);
        // A directory's (or --parents') destination is resolved once, symlinks followed; nothing below it is (CopyTargets).
        var destination = placement.KeepParents || Directory.Exists(full) ? CopyTargets.Destination(upper, placement.Path, placement.Directories) : placement.Path;
        if (placement.KeepParents) CopyParents(match, kept, destination);
        if (Directory.Exists(full))
        {
            // The destination itself is made as BuildKit's copy makes it (like a parent: 0755 or the --chmod mode,
            // the --chown owner); only what is inside the source directory keeps its own mode and time.
            var target = placement.KeepParents ? LayerPath.Join(destination, kept) : destination;
            if (placement.KeepParents) EnsureDirectory(target, full);
            CopyDirectory(resolved, target, cancellationToken);
            if (!placement.KeepParents) placement.TakeSourceTime(upper, target, LayerTimes.ModTimeOf(new DirectoryInfo(full)));
            return;
        }
        if (!File.Exists(full))
            throw new FileNotFoundException($"\"{match}\" is not a regular file or directory in the build context", match);

        if (await UnpacksAsync(match, isAdd, cancellationToken).ConfigureAwait(false))
        {
            await using var archive = File.OpenRead(full);
            var archiveDestination = placement.KeepParents ? LayerPath.Join(destination, LayerPath.ParentOf(kept)) : placement.Path;
            await ArchiveExtractor.ExtractAsync(upper, archive, archiveDestination,
                new ExtractOptions { Rewrites = placement.Rewrites, ImpliedDirectories = placement.Directories },
                session.NewSpool(), cancellationToken).ConfigureAwait(false);
            return;
        }

        var name = match.Contains('/') ? match[(match.LastIndexOf('/') + 1)..] : match;
        string targetPath;
        if (placement.KeepParents) targetPath = LayerPath.Join(destination, kept);
        else if (forceDirectory || placement.DestinationIsDirectory || upper.Resolve(placement.Path).IsDirectory) targetPath = LayerPath.Join(placement.Path, name);
        else targetPath = placement.Path;
        if (targetPath.Length == 0)
            throw new FormatException($"cannot copy the file \"{match}\" over the root directory");
        PutFile(targetPath, full);
    }

    /// <summary>
    /// <c>--parents</c>: the directories above the kept path are recreated under the destination with the context
    /// directories' own metadata, as BuildKit copies the parents of an included path.
    /// </summary>
    private void CopyParents(string match, string kept, string destination)
    {
        var pivot = match[..(match.Length - kept.Length)].TrimEnd('/');
        var parts = kept.Split('/');
        for (int i = 1; i < parts.Length; i++)
        {
            var relative = string.Join('/', parts.Take(i));
            var source = context.FullPath(context.Resolve(LayerPath.Join(pivot, relative)));
            EnsureDirectory(LayerPath.Join(destination, relative), source);
        }
    }

    private void CopyDirectory(string relativeDirectory, string targetDirectory, CancellationToken cancellationToken)
    {
        foreach (var entry in ContextWalker.Walk(context, relativeDirectory, placement.Excludes))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var target = LayerPath.Join(targetDirectory, entry.SourcePath);
            var status = entry.Status;
            if (status.IsSymlink)
            {
                CopyTargets.Check(upper, target, LayerEntryType.Symlink);
                upper.Put(CopiedEntries.Symlink(placement.Rewrites, target, entry.FullPath), null, placement.Directories);
            }
            else if (status.IsDirectory)
            {
                EnsureDirectory(target, entry.FullPath);
            }
            else if (status.Type is Posix.TypeRegular or Posix.TypeSocket)
            {
                PutWalkedFile(target, entry);
            }
            // Fifos and devices in a context are not copied, as BuildKit skips them.
        }
    }

    /// <summary>
    /// A regular file; a further name of an inode this copier already placed becomes a hard link to that first
    /// path, as BuildKit's copy keeps the context's hard links (within one source of the instruction).
    /// </summary>
    private void PutFile(string target, string full, FileStatus? status = null)
    {
        CopyTargets.Check(upper, target, LayerEntryType.RegularFile);
        status ??= Posix.Lstat(full);
        if (status is { Type: Posix.TypeSocket })
        {
            // BuildKit's context transfer sends a socket as a regular file with no content (its testCopySocket).
            upper.Put(CopiedEntries.File(placement.Rewrites, target, full) with { Size = 0 }, null, placement.Directories);
            return;
        }
        if (status is { Links: > 1 })
        {
            if (_firstPathOfInode.TryGetValue(status.InodeKey, out var first))
            {
                upper.AddHardlink(target, first, placement.Directories);
                return;
            }
            _firstPathOfInode[status.InodeKey] = upper.Put(CopiedEntries.File(placement.Rewrites, target, full), DiskFileContent.Of(full), placement.Directories);
            return;
        }
        upper.Put(CopiedEntries.File(placement.Rewrites, target, full), DiskFileContent.Of(full), placement.Directories);
    }

    /// <summary>
    /// A regular file the walk found: its entry from the walk's own lstat (no second stat per file) and its content
    /// by folder and name, so a tree of many files holds no full source path per file.
    /// </summary>
    private void PutWalkedFile(string target, ContextEntry walked)
    {
        var status = walked.Status;
        if (status.Links > 1)
        {
            PutFile(target, walked.FullPath, status);
            return;
        }
        CopyTargets.Check(upper, target, LayerEntryType.RegularFile);
        upper.Put(CopiedEntries.WalkedFile(placement.Rewrites, target, status), new DiskFileContent(walked.Folder, walked.Name, status.Size), placement.Directories, walked.Name);
    }

    /// <summary>A directory that exists stays as it is (a symlink or file there is an error); a new one takes the source directory's mode and mtime.</summary>
    private void EnsureDirectory(string target, string sourceDirectory)
    {
        if (CopyTargets.Check(upper, target, LayerEntryType.Directory))
        {
            if (target.Length > 0) upper.EnsureDirectory(target, placement.Directories);
            return;
        }
        upper.Put(CopiedEntries.Directory(placement.Rewrites, target, sourceDirectory), null, placement.Directories);
    }

    /// <summary>Whether the context file <paramref name="match"/> is a tar archive that ADD (<paramref name="isAdd"/>) unpacks.</summary>
    public async Task<bool> UnpacksAsync(string match, bool isAdd, CancellationToken cancellationToken)
    {
        if (!isAdd) return false;
        var full = context.FullPath(context.Resolve(match));
        if (Posix.Lstat(full) is not { Type: Posix.TypeRegular }) return false;
        await using var stream = File.OpenRead(full);
        var kind = await ArchiveDetector.DetectAsync(stream, cancellationToken).ConfigureAwait(false);
        return kind.IsTar;
    }
}
