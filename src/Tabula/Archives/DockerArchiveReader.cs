using Tabula.Archives.Docker;
using Tabula.Archives.Tar;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>
/// Reads a docker archive through its manifest.json (legacy layout or Docker 25+): each config verified against the
/// digest its file name promises, each layer file found and its compression sniffed. An uncompressed layer.tar is
/// presented as an uncompressed layer whose digest is its diff ID; the image gets a Docker v2 schema 2 manifest.
/// </summary>
internal static class DockerArchiveReader
{
    public static async Task<IReadOnlyList<ArchiveImage>> ReadAsync(ArchiveFile archive, CancellationToken cancellationToken)
    {
        var bytes = await archive.ReadAllBytesAsync(DockerManifestFile.ManifestName, "the image list", cancellationToken).ConfigureAwait(false);
        var images = new List<ArchiveImage>();
        foreach (var item in DockerManifestFile.Parse(bytes, archive.DisplayName))
        {
            var image = await ReadImageAsync(archive, item, cancellationToken).ConfigureAwait(false);
            images.Add(new ArchiveImage(image, ParseNames(item.RepoTags ?? [], archive.DisplayName)) { ManifestSynthesized = true });
        }
        return images;
    }

    public static IReadOnlyList<ImageReference> ParseNames(IEnumerable<string> repoTags, string archive)
        => repoTags.Select(tag => ImageReference.TryParse(tag, out var reference)
                ? reference!
                : throw new ArchiveFormatException($"{archive}: manifest.json names the image '{tag}', which is not a valid image reference"))
            .DistinctBy(r => r.ToString())
            .ToList();

    private static async Task<IImage> ReadImageAsync(ArchiveFile archive, DockerManifestItem item, CancellationToken cancellationToken)
    {
        var rawConfig = await archive.ReadAllBytesAsync(item.Config, "an image config", cancellationToken).ConfigureAwait(false);
        var configDigest = Digest.Compute(rawConfig);
        if (ArchiveReader.ConfigDigestOf(item.Config) is { } promised && promised != configDigest)
            throw new DigestMismatchException($"image config {item.Config} in {archive.DisplayName}", promised, configDigest.ToString());
        ImageConfig config;
        try
        {
            config = OciJson.DeserializeConfig(rawConfig);
        }
        catch (InvalidDataException e)
        {
            throw new ArchiveFormatException($"{archive.DisplayName}: image config {item.Config} is damaged: {e.Message}", e);
        }
        var diffIds = config.RootFs.DiffIds;
        if (diffIds.Count != item.Layers.Count)
            throw new ArchiveFormatException($"{archive.DisplayName}: image {configDigest.Short} lists {item.Layers.Count} layers in manifest.json but its config has {diffIds.Count} diff IDs; the archive is damaged");

        var layers = new List<ILayer>();
        for (int i = 0; i < item.Layers.Count; i++)
            layers.Add(await ReadLayerAsync(archive, item.Layers[i], diffIds[i], $"layer {i + 1} of image {configDigest.Short}", cancellationToken).ConfigureAwait(false));

        bool oci = layers.Any(l => MediaTypes.LayerCompressionOf(l.MediaType) == LayerCompression.Zstd);
        var manifest = new ImageManifest
        {
            SchemaVersion = 2,
            MediaType = oci ? MediaTypes.OciManifest : MediaTypes.DockerManifest,
            Config = new Descriptor { MediaType = oci ? MediaTypes.OciConfig : MediaTypes.DockerConfig, Digest = configDigest, Size = rawConfig.Length },
            Layers = layers.Select(l => new Descriptor { MediaType = l.MediaType, Digest = l.Digest, Size = l.Size }).ToList(),
        };
        return Image.FromParts(OciJson.Serialize(manifest), manifest, manifest.MediaType, rawConfig, config, layers);
    }

    private static async Task<ILayer> ReadLayerAsync(ArchiveFile archive, string path, Digest diffId, string neededFor, CancellationToken cancellationToken)
    {
        var entry = archive.Resolve(path, neededFor);
        var head = await archive.ReadHeadAsync(path, 4, neededFor, cancellationToken).ConfigureAwait(false);
        var compression = LayerDecompression.Sniff(head);
        if (compression == LayerCompression.None)
            return new ArchiveLayer(archive, path, new Descriptor { MediaType = MediaTypes.DockerLayer, Digest = diffId, Size = entry.Size }, diffId);

        // A compressed blob: its digest is in its name (blobs/sha256/<hex>) or has to be computed.
        var digest = BlobDigestOf(path);
        if (digest is null)
        {
            await using var stream = archive.OpenRead(path, neededFor);
            digest = await Digest.ComputeAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        var mediaType = compression == LayerCompression.Gzip ? MediaTypes.DockerLayerGzip : MediaTypes.OciLayerZstd;
        return new ArchiveLayer(archive, path, new Descriptor { MediaType = mediaType, Digest = digest.Value, Size = entry.Size }, diffId);
    }

    private static Digest? BlobDigestOf(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        return parts.Length >= 3 && parts[^3] == "blobs" && Digest.TryParse($"{parts[^2]}:{parts[^1]}", out var digest) ? digest : null;
    }
}
