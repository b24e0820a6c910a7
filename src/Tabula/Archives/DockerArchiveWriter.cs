using Tabula.Archives.Docker;
using Tabula.Archives.Tar;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>
/// Writes docker-archive tars that <c>docker load</c> takes: the legacy layout docker 20.10 writes (v1 layer folders
/// with uncompressed <c>layer.tar</c>, ids chain-derived as moby derives them) or the Docker 25+ layout (an OCI layout
/// with <c>manifest.json</c> and <c>repositories</c> beside it, blobs as stored). Deterministic: same images, same bytes.
/// </summary>
internal static class DockerArchiveWriter
{
    private const string VersionFile = "VERSION";
    private const string LayerJsonFile = "json";
    private const string LayerTarFile = "layer.tar";
    private static readonly byte[] LegacyVersion = "1.0"u8.ToArray();

    /// <param name="ociLayout">Write the Docker 25+ layout instead of the legacy one.</param>
    /// <param name="spoolDirectory">Where layers are staged when <paramref name="output"/> cannot seek (a pipe).</param>
    public static Task WriteAsync(IReadOnlyList<ArchiveImage> images, Stream output, bool ociLayout, CancellationToken cancellationToken, string? spoolDirectory = null)
    {
        var merged = MergeByImageId(images);
        var plan = new TarPlan();
        if (ociLayout) PlanCombined(merged, plan);
        else PlanLegacy(merged, plan);
        return plan.WriteAsync(new ArchiveTarWriter(output, spoolDirectory), cancellationToken);
    }

    private static void PlanLegacy(IReadOnlyList<ArchiveImage> images, TarPlan plan)
    {
        var items = new List<DockerManifestItem>();
        var repositories = new Dictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        var layerTarByDiffId = new Dictionary<Digest, string>();
        foreach (var (image, names) in images)
        {
            var diffIds = DiffIds(image);
            var chainIds = LegacyLayerJson.ChainIds(diffIds);
            var layerPaths = new List<string>();
            Digest? parent = null;
            for (int i = 0; i < diffIds.Count; i++)
            {
                var fields = i == diffIds.Count - 1 ? LegacyLayerJson.ForTopLayer(image.RawConfig.Span) : LegacyLayerJson.ForLowerLayer(null);
                var id = LegacyLayerJson.CreateId(fields, chainIds[i], parent);
                var folder = id.Encoded;
                var tarPath = $"{folder}/{LayerTarFile}";
                if (!plan.Contains(tarPath))
                {
                    plan.File($"{folder}/{VersionFile}", LegacyVersion);
                    plan.File($"{folder}/{LayerJsonFile}", LegacyLayerJson.Serialize(fields, id, parent, image.Config.Os));
                    // The same tar under another id is a link to the first copy, as docker writes it.
                    if (layerTarByDiffId.TryGetValue(diffIds[i], out var first)) plan.Symlink(tarPath, $"../{first}");
                    else
                    {
                        var layer = image.Layers[i];
                        plan.File(tarPath, (writer, ct) => WriteLayerTarAsync(writer, tarPath, layer, ct));
                        layerTarByDiffId[diffIds[i]] = tarPath;
                    }
                }
                layerPaths.Add(tarPath);
                parent = id;
            }
            var configPath = image.ConfigDigest.Encoded + ".json";
            plan.File(configPath, image.RawConfig);
            items.Add(new DockerManifestItem(configPath, RepoTags(names), layerPaths));
            if (parent is { } top) AddRepositories(repositories, names, top.Encoded);
        }
        plan.File(DockerManifestFile.ManifestName, DockerManifestFile.Serialize(items));
        if (repositories.Count > 0) plan.File(DockerManifestFile.RepositoriesName, DockerManifestFile.SerializeRepositories(repositories));
    }

    private static Task WriteLayerTarAsync(ArchiveTarWriter writer, string name, ILayer layer, CancellationToken cancellationToken)
    {
        if (MediaTypes.LayerCompressionOf(layer.MediaType) == LayerCompression.None && layer.Digest == layer.DiffId)
            return WriteStoredTarAsync(writer, name, layer, cancellationToken);
        return writer.WriteFileAsync(name, (stream, ct) => LayerCopy.CopyUncompressedAsync(layer, stream, ct), cancellationToken);
    }

    private static async Task WriteStoredTarAsync(ArchiveTarWriter writer, string name, ILayer layer, CancellationToken cancellationToken)
    {
        await using var source = await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
        await writer.WriteFileAsync(name, source, layer.Size, cancellationToken).ConfigureAwait(false);
    }

    private static void PlanCombined(IReadOnlyList<ArchiveImage> images, TarPlan plan)
    {
        OciLayoutPlan.AddLayout(images, plan, taggedOnly: true);
        PlanDockerFiles(images, plan);
    }

    /// <summary>
    /// <c>manifest.json</c> and <c>repositories</c> of the Docker 25+ layout, naming blobs the plan's OCI layout holds:
    /// what <c>docker load</c> reads (docker before 25 reads nothing else).
    /// </summary>
    public static void PlanDockerFiles(IReadOnlyList<ArchiveImage> images, TarPlan plan)
    {
        var items = new List<DockerManifestItem>();
        var repositories = new Dictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (image, names) in images)
        {
            DiffIds(image);
            var layers = image.Layers.Select(l => OciLayoutPlan.BlobPath(l.Digest)).ToList();
            items.Add(new DockerManifestItem(OciLayoutPlan.BlobPath(image.ConfigDigest), RepoTags(names), layers));
            if (image.Layers.Count > 0) AddRepositories(repositories, names, image.Layers[^1].Digest.Encoded);
        }
        plan.File(DockerManifestFile.ManifestName, DockerManifestFile.Serialize(items));
        if (repositories.Count > 0) plan.File(DockerManifestFile.RepositoriesName, DockerManifestFile.SerializeRepositories(repositories));
    }

    private static IReadOnlyList<Digest> DiffIds(IImage image)
    {
        var diffIds = image.Config.RootFs.DiffIds;
        if (diffIds.Count != image.Layers.Count)
            throw new InvalidDataException($"image {image.ConfigDigest.Short}: its config lists {diffIds.Count} diff IDs but it has {image.Layers.Count} layers; the image is damaged");
        return diffIds;
    }

    /// <summary>Names docker can write: tagged ones, as docker shows them.</summary>
    private static IEnumerable<ImageReference> Tagged(IReadOnlyList<ImageReference> names)
        => names.Where(n => n.Tag is not null).Select(n => n with { Digest = null }).DistinctBy(n => n.ToString());

    private static List<string> RepoTags(IReadOnlyList<ImageReference> names) => Tagged(names).Select(n => n.ToFamiliarString()).ToList();

    private static void AddRepositories(Dictionary<string, SortedDictionary<string, string>> repositories, IReadOnlyList<ImageReference> names, string top)
    {
        foreach (var name in Tagged(names))
        {
            if (!repositories.TryGetValue(name.FamiliarName, out var tags))
                repositories[name.FamiliarName] = tags = new SortedDictionary<string, string>(StringComparer.Ordinal);
            tags[name.Tag!] = top;
        }
    }

    /// <summary>One entry per image ID, with all its names, in first-seen order (docker keys its save by image ID too).</summary>
    private static List<ArchiveImage> MergeByImageId(IReadOnlyList<ArchiveImage> images)
        => images.GroupBy(i => i.Image.ConfigDigest)
            .Select(g => new ArchiveImage(g.First().Image, g.SelectMany(i => i.Names).DistinctBy(n => n.ToString()).ToList()))
            .ToList();
}
