using Tabula.Images;
using Tabula.Layers;

namespace Tabula.Runtime;

/// <summary>
/// An image's layers applied in order into a directory, each layer read once: <see cref="LayerApplier"/> builds the
/// merged tree from each layer's entries (whiteouts and opaque markers applied, every path resolved inside the root
/// as a chroot sees it) and <see cref="RootfsMirror"/> makes each change on disk as the tree takes it, writing file
/// contents from the layer stream as it goes.
/// </summary>
internal static class RootfsUnpacker
{
    /// <summary>Unpacks into <paramref name="rootDirectory"/> (new or empty) and returns the merged tree it wrote.</summary>
    public static async Task<(FileTree Tree, RootfsWriteResult Result)> UnpackAsync(IReadOnlyList<ILayer> layers, string rootDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layers);
        return await UnpackAsync(layers.Select(l => (Func<CancellationToken, Task<Stream>>)l.OpenUncompressedAsync).ToList(), rootDirectory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The same from the layers' uncompressed tar streams, bottom first. The tree's file contents stay references into
    /// the layers (read again only if someone opens them). Each layer is checked only as it is written, so a failure
    /// (a corrupt layer, a full disk, a cancel) takes away what was written: the directory is left as it was found.
    /// </summary>
    public static async Task<(FileTree Tree, RootfsWriteResult Result)> UnpackAsync(IReadOnlyList<Func<CancellationToken, Task<Stream>>> openers, string rootDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(openers);
        string root = Path.GetFullPath(rootDirectory);
        bool created = !Directory.Exists(root);
        Directory.CreateDirectory(root);
        if (Posix.Lstat(root) is not { IsDirectory: true })
            throw new IOException($"{root} is not a directory");
        if (Directory.EnumerateFileSystemEntries(root).Any())
            throw new IOException($"{root} is not empty; unpack into a new or empty directory");

        try
        {
            var tree = new FileTree();
            var mirror = new RootfsMirror(tree, root);
            await using var cursor = new LayerCursorOpener(openers);
            for (int index = 0; index < openers.Count; index++)
            {
                await using var tar = await openers[index](cancellationToken).ConfigureAwait(false);
                await LayerApplier.ApplyAsync(tree, tar, index, cursor.Opener, cancellationToken, mirror).ConfigureAwait(false);
            }
            tree.Freeze();
            return (tree, mirror.Finish());
        }
        catch
        {
            TakeBack(root, created);
            throw;
        }
    }

    /// <summary>Removes what an unpack wrote into <paramref name="root"/>, and the directory too when the unpack made it.</summary>
    private static void TakeBack(string root, bool created)
    {
        if (created)
        {
            ScratchDirectory.Delete(root);
            return;
        }
        foreach (var entry in Directory.EnumerateFileSystemEntries(root).ToList())
        {
            if (Posix.Lstat(entry) is { IsDirectory: true }) ScratchDirectory.Delete(entry);
            else
            {
                try { File.Delete(entry); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // tidying never hides the failure
            }
        }
    }

    /// <summary>The merged view of the layers (frozen); file contents are read forward through <paramref name="cursor"/>.</summary>
    public static Task<FileTree> MergeAsync(IReadOnlyList<Func<CancellationToken, Task<Stream>>> openers, LayerCursorOpener cursor, CancellationToken cancellationToken)
        => LayerApplier.BuildLowerTreeAsync(openers, cursor.Opener, cancellationToken);
}
