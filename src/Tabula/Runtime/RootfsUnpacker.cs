using Tabula.Images;
using Tabula.Layers;

namespace Tabula.Runtime;

/// <summary>
/// An image's layers applied in order into a directory: the merged view is built from the layer headers
/// (whiteouts and opaque markers applied, every path resolved inside the root as a chroot sees it), then written
/// to disk by <see cref="RootfsWriter"/>, reading each layer forward once for the file contents.
/// </summary>
internal static class RootfsUnpacker
{
    /// <summary>Unpacks into <paramref name="rootDirectory"/> (new or empty) and returns the merged tree it wrote.</summary>
    public static async Task<(FileTree Tree, RootfsWriteResult Result)> UnpackAsync(IReadOnlyList<ILayer> layers, string rootDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layers);
        return await UnpackAsync(layers.Select(l => (Func<CancellationToken, Task<Stream>>)l.OpenUncompressedAsync).ToList(), rootDirectory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The same from the layers' uncompressed tar streams, bottom first.</summary>
    public static async Task<(FileTree Tree, RootfsWriteResult Result)> UnpackAsync(IReadOnlyList<Func<CancellationToken, Task<Stream>>> openers, string rootDirectory, CancellationToken cancellationToken)
    {
        var cursor = new LayerCursorOpener(openers);
        var tree = await MergeAsync(openers, cursor, cancellationToken).ConfigureAwait(false);
        RootfsWriteResult result;
        try
        {
            result = await RootfsWriter.WriteAsync(tree, rootDirectory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await cursor.DisposeAsync().ConfigureAwait(false);
        }
        return (tree, result);
    }

    /// <summary>The merged view of the layers (frozen); file contents are read forward through <paramref name="cursor"/>.</summary>
    public static Task<FileTree> MergeAsync(IReadOnlyList<Func<CancellationToken, Task<Stream>>> openers, LayerCursorOpener cursor, CancellationToken cancellationToken)
        => LayerApplier.BuildLowerTreeAsync(openers, cursor.Opener, cancellationToken);
}
