using Tabula.Images;
using Tabula.IO;

namespace Tabula.Analysis;

/// <summary>Reads every layer of an image once, bottom up, into one <see cref="FileHistory"/>.</summary>
internal static class ImageScan
{
    public static async Task<(FileHistory History, IReadOnlyList<LayerScanner.Result> Layers)> ReadAsync(IImage image, DuplicateIndex? duplicates, CancellationToken cancellationToken)
    {
        var history = new FileHistory();
        var results = new List<LayerScanner.Result>(image.Layers.Count);
        using var scanner = new LayerScanner(history, duplicates);
        for (int i = 0; i < image.Layers.Count; i++)
        {
            // Inflating runs ahead on its own thread while this one parses and hashes: the two halves of the work overlap.
            await using var tar = new ReadAheadStream(await image.Layers[i].OpenUncompressedAsync(cancellationToken).ConfigureAwait(false));
            results.Add(await scanner.ScanAsync(tar, i, cancellationToken).ConfigureAwait(false));
        }
        return (history, results);
    }
}
