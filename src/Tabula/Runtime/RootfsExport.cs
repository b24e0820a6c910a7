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

    /// <summary>The same into a file, written beside it and renamed into place only when complete.</summary>
    public static async Task WriteTarAsync(IImage image, string path, CancellationToken cancellationToken)
    {
        string temporary = path + ".tabula-partial";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                await WriteTarAsync(image, file, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
