using Tabula.Images;
using Tabula.Layers;

namespace Tabula.Runtime;

/// <summary>
/// An image's merged filesystem (whiteouts applied) as one tar: what <c>tabula export</c> and <c>build -o type=tar</c>
/// write, as docker export and BuildKit's tar exporter do. The layers are read forward once; nothing is held whole.
/// </summary>
internal static class RootfsExport
{
    public static async Task WriteTarAsync(IImage image, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        var openers = image.Layers.Select(l => (Func<CancellationToken, Task<Stream>>)l.OpenUncompressedAsync).ToList();
        await using var cursor = new LayerCursorOpener(openers);
        var tree = await RootfsUnpacker.MergeAsync(openers, cursor, cancellationToken).ConfigureAwait(false);
        await LayerEmitter.WriteLayerAsync(tree, destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Several images' filesystems in one tar, each below its folder (a <c>0755</c> directory entry, owned by root,
    /// mtime 0, as BuildKit's tar exporter splits a multi-platform build into <c>linux_amd64/</c>, <c>linux_arm64/</c>…).
    /// </summary>
    public static async Task WriteTarAsync(IReadOnlyList<(string Directory, IImage Image)> images, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        var writer = new TarEntryWriter(destination);
        foreach (var (directory, image) in images)
        {
            await writer.WriteEntryAsync(new LayerEntry { Path = directory, Type = LayerEntryType.Directory, Mode = 0b111_101_101 }, cancellationToken).ConfigureAwait(false);
            var openers = image.Layers.Select(l => (Func<CancellationToken, Task<Stream>>)l.OpenUncompressedAsync).ToList();
            await using var cursor = new LayerCursorOpener(openers);
            var tree = await RootfsUnpacker.MergeAsync(openers, cursor, cancellationToken).ConfigureAwait(false);
            await LayerEmitter.WriteUnderAsync(tree, directory, writer, cancellationToken).ConfigureAwait(false);
        }
        await writer.FinishAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The same into a file, written beside it and renamed into place only when complete.</summary>
    public static Task WriteTarAsync(IImage image, string path, CancellationToken cancellationToken)
        => WriteFileAsync(path, file => WriteTarAsync(image, file, cancellationToken));

    /// <summary>Several images' filesystems into a file, as <see cref="WriteTarAsync(IReadOnlyList{ValueTuple{string, IImage}}, Stream, CancellationToken)"/>.</summary>
    public static Task WriteTarAsync(IReadOnlyList<(string Directory, IImage Image)> images, string path, CancellationToken cancellationToken)
        => WriteFileAsync(path, file => WriteTarAsync(images, file, cancellationToken));

    private static async Task WriteFileAsync(string path, Func<Stream, Task> write)
    {
        string temporary = path + ".tabula-partial";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                await write(file).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
