using System.Formats.Tar;
using System.Text.Json;

namespace Tabula.Tests.Integration.Support;

/// <summary>
/// Reads what <c>docker save</c> wrote (legacy or Docker 25+ layout: both have <c>manifest.json</c>
/// naming the layer files), so tests can compare docker's layers with ours.
/// </summary>
public static class DockerSaveArchive
{
    /// <summary>The listing of each layer of the archive's first image, base layer first.</summary>
    public static async Task<IReadOnlyList<IReadOnlyList<TarRecord>>> ReadLayerListingsAsync(
        string archivePath, CancellationToken cancellationToken)
    {
        // manifest.json comes last in docker's archives and layers come first, so read twice.
        var layerPaths = await ReadLayerPathsAsync(archivePath, cancellationToken);
        var listings = new Dictionary<string, IReadOnlyList<TarRecord>>(StringComparer.Ordinal);
        await using var file = File.OpenRead(archivePath);
        await using var reader = new TarReader(file);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            if (entry.DataStream is { } data && layerPaths.Contains(entry.Name))
                listings[entry.Name] = await TarListing.ReadAsync(data, cancellationToken);
        }
        return layerPaths.Select(path => listings.TryGetValue(path, out var listing)
            ? listing
            : throw new InvalidDataException($"{archivePath}: manifest.json names layer {path}, which is not in the archive")).ToList();
    }

    /// <summary>
    /// The archive's own entries (config, layer folders, <c>layer.tar</c>, <c>manifest.json</c>, …) with their
    /// content hashes and every mtime set to 0: docker stamps the time of saving, which no other writer can match.
    /// </summary>
    public static async Task<IReadOnlyList<TarRecord>> ReadEntriesWithoutTimesAsync(string archivePath, CancellationToken cancellationToken) =>
        (await TarListing.ReadFileAsync(archivePath, cancellationToken)).Select(record => record with { ModifiedUnixSeconds = 0 }).ToList();

    /// <summary>The <c>Layers</c> of the first entry of <c>manifest.json</c>.</summary>
    public static async Task<IReadOnlyList<string>> ReadLayerPathsAsync(string archivePath, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(archivePath);
        await using var reader = new TarReader(file);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            if (entry.Name != "manifest.json" || entry.DataStream is not { } data)
                continue;
            using var manifest = await JsonDocument.ParseAsync(data, cancellationToken: cancellationToken);
            return manifest.RootElement[0].GetProperty("Layers").EnumerateArray().Select(layer => layer.GetString()!).ToList();
        }
        throw new InvalidDataException($"{archivePath} has no manifest.json: not a docker save archive");
    }
}
