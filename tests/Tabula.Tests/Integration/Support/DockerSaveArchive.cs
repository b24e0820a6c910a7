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
    /// Fails unless the two archives hold the same files (config, layer folders with VERSION, json and layer.tar,
    /// repositories, …) with the same content, entry by entry. Two things a reader cannot see are left out: the
    /// mtimes (docker stamps the time of saving) and the order of <c>manifest.json</c>'s entries (docker 20.10
    /// walks a Go map, so it varies from save to save); the entries themselves must be the same.
    /// </summary>
    public static async Task AssertSameFilesAsync(
        string expectedArchive, string actualArchive, string expectedName, string actualName, CancellationToken cancellationToken)
    {
        TarDiff.AssertSame(await ReadEntriesAsync(expectedArchive), await ReadEntriesAsync(actualArchive), expectedName, actualName);
        Assert.Equal(await ManifestEntriesAsync(expectedArchive), await ManifestEntriesAsync(actualArchive));

        async Task<IReadOnlyList<TarRecord>> ReadEntriesAsync(string archive) =>
            (await TarListing.ReadFileAsync(archive, cancellationToken))
            .Select(record => record with { ModifiedUnixSeconds = 0, Sha256 = record.Path == "manifest.json" ? null : record.Sha256 })
            .ToList();

        async Task<IReadOnlyList<string>> ManifestEntriesAsync(string archive) =>
            (await ReadManifestAsync(archive, cancellationToken)).EnumerateArray().Select(entry => entry.GetRawText()).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Per layer (in manifest order), the extended attributes its entries carry (<c>SCHILY.xattr.NAME</c> PAX records),
    /// as <c>NAME=VALUE</c> lines by path; entries without any are left out. Values are read as the tar reader decodes
    /// them (UTF-8), which is enough to tell two layers' attributes apart.
    /// </summary>
    public static async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> ReadLayerXattrsAsync(string archivePath, CancellationToken cancellationToken)
    {
        var layerPaths = await ReadLayerPathsAsync(archivePath, cancellationToken);
        var found = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        await using var file = File.OpenRead(archivePath);
        await using var reader = new TarReader(file);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            if (entry.DataStream is not { } data || !layerPaths.Contains(entry.Name)) continue;
            var xattrs = new Dictionary<string, string>(StringComparer.Ordinal);
            await using var layer = new TarReader(data);
            while (await layer.GetNextEntryAsync(copyData: false, cancellationToken) is { } member)
            {
                if (member is not PaxTarEntry pax) continue;
                var lines = pax.ExtendedAttributes.Where(a => a.Key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal))
                    .Select(a => $"{a.Key["SCHILY.xattr.".Length..]}={a.Value}").Order(StringComparer.Ordinal).ToList();
                if (lines.Count > 0) xattrs[TarListing.NormalizePath(member.Name)] = string.Join('\n', lines);
            }
            found[entry.Name] = xattrs;
        }
        return layerPaths.Select(path => found[path]).ToList();
    }

    /// <summary>The <c>Layers</c> of the first entry of <c>manifest.json</c>.</summary>
    public static async Task<IReadOnlyList<string>> ReadLayerPathsAsync(string archivePath, CancellationToken cancellationToken) =>
        (await ReadManifestAsync(archivePath, cancellationToken))[0].GetProperty("Layers").EnumerateArray().Select(layer => layer.GetString()!).ToList();

    /// <summary>The parsed <c>manifest.json</c>: one entry per image, <c>[{Config, RepoTags, Layers}, …]</c>.</summary>
    public static async Task<JsonElement> ReadManifestAsync(string archivePath, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(archivePath);
        await using var reader = new TarReader(file);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            if (entry.Name != "manifest.json" || entry.DataStream is not { } data)
                continue;
            using var manifest = await JsonDocument.ParseAsync(data, cancellationToken: cancellationToken);
            return manifest.RootElement.Clone();
        }
        throw new InvalidDataException($"{archivePath} has no manifest.json: not a docker save archive");
    }
}
