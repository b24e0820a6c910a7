using Tabula.Archives.Tar;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>How to load an archive into the store.</summary>
/// <param name="Platform">
/// The platform taken from a multi-platform index; without one an index is stored whole, every platform's image in it
/// (as docker's containerd store loads one).
/// </param>
/// <param name="CompressLayers">
/// Store the uncompressed layer.tar files of docker archives gzip-compressed, as a push sends them. Off by default: like
/// docker, the store keeps them as they are (loading is then little more than a copy) and a push compresses them once.
/// </param>
public sealed record ArchiveLoadOptions(Platform? Platform = null, bool CompressLayers = false);

/// <summary>An image now in the store, with the names it was tagged with.</summary>
public sealed record LoadedImage(Descriptor Manifest, Digest ImageId, IReadOnlyList<ImageReference> Names)
{
    /// <summary>What docker prints for it: <c>Loaded image: NAME</c> per name, or <c>Loaded image ID: sha256:…</c>.</summary>
    public IEnumerable<string> Messages => Names.Count > 0
        ? Names.Select(n => $"Loaded image: {n.ToFamiliarString()}")
        : [$"Loaded image ID: {ImageId}"];
}

/// <summary>
/// <c>tabula load</c>: reads an archive of any format Tabula reads and puts its images into the store. Every blob is
/// written (and verified) first; names are set only after all of them are in, so a corrupt or truncated archive leaves
/// index.json as it was (at worst with orphan blobs, which GC removes).
/// </summary>
internal static class ArchiveLoader
{
    public static Task<IReadOnlyList<LoadedImage>> LoadAsync(string path, ContentStore store, ReferenceStore references, IProgress<BlobProgress>? progress, CancellationToken cancellationToken)
        => LoadAsync(path, store, references, new ArchiveLoadOptions(), progress, cancellationToken);

    public static async Task<IReadOnlyList<LoadedImage>> LoadAsync(string path, ContentStore store, ReferenceStore references, ArchiveLoadOptions options, IProgress<BlobProgress>? progress, CancellationToken cancellationToken)
    {
        using var lease = await store.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false);
        using var reader = await ArchiveReader.OpenAsync(path, ReadOptions(store, options), cancellationToken).ConfigureAwait(false);
        return await LoadAsync(reader, store, references, options, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads from a stream (stdin): it is staged in the store's ingest folder first.</summary>
    public static async Task<IReadOnlyList<LoadedImage>> LoadAsync(Stream source, string displayName, ContentStore store, ReferenceStore references, ArchiveLoadOptions options, IProgress<BlobProgress>? progress, CancellationToken cancellationToken)
    {
        using var lease = await store.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false);
        using var reader = await ArchiveReader.OpenAsync(source, displayName, ReadOptions(store, options), cancellationToken).ConfigureAwait(false);
        return await LoadAsync(reader, store, references, options, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores the images of an open archive; the caller holds the store's write lease.</summary>
    public static async Task<IReadOnlyList<LoadedImage>> LoadAsync(ArchiveReader reader, ContentStore store, ReferenceStore references, ArchiveLoadOptions options, IProgress<BlobProgress>? progress, CancellationToken cancellationToken)
    {
        if (reader.Images.Count == 0 && reader.Indexes.Count == 0)
            throw new ArchiveFormatException($"{reader.DisplayName}: the archive holds no images (its manifest.json or index.json lists none); nothing was loaded");
        var layout = new OciLayout(store);
        var loaded = new List<LoadedImage>();
        foreach (var archived in reader.Images)
        {
            var image = await StoreLayersAsync(store, archived, options, progress, cancellationToken).ConfigureAwait(false);
            var manifest = await layout.WriteImageAsync(image, progress, cancellationToken).ConfigureAwait(false);
            loaded.Add(new LoadedImage(manifest, image.ConfigDigest, archived.Names));
        }
        foreach (var index in reader.Indexes)
        {
            await StoreIndexAsync(reader.Archive, store, index.Entry, options, progress, 0, cancellationToken).ConfigureAwait(false);
            // An index has no config: its digest is what `images` shows as its ID.
            loaded.Add(new LoadedImage(index.Entry, index.Entry.Digest, index.Names));
        }
        // Only now, with every blob in, do names change: all of them in one replacement of index.json.
        await references.TagAllAsync(
            [.. loaded.SelectMany(image => image.Names.Select(name => (name, image.Manifest)))],
            [.. loaded.Where(image => image.Names.Count == 0).Select(image => image.Manifest)],
            cancellationToken).ConfigureAwait(false);
        return loaded;
    }

    private static ArchiveReadOptions ReadOptions(ContentStore store, ArchiveLoadOptions options) => new(options.Platform, store.IngestPath, KeepIndexes: options.Platform is null);

    /// <summary>
    /// An index as the archive has it: every image it names (through nested indexes) stored with its manifest's exact
    /// bytes, then the index's own bytes, so its digest stays. Entries that are no image (artifacts) are not stored.
    /// </summary>
    private static async Task StoreIndexAsync(ArchiveFile archive, ContentStore store, Descriptor descriptor, ArchiveLoadOptions options, IProgress<BlobProgress>? progress, int depth,
        CancellationToken cancellationToken)
    {
        if (depth >= PlatformSelection.MaxDepth) throw new ArchiveFormatException($"{archive.DisplayName}: image indexes nested more than {PlatformSelection.MaxDepth} deep");
        var raw = await OciArchiveReader.ReadBlobAsync(archive, descriptor, "an image index", cancellationToken).ConfigureAwait(false);
        ImageIndex index;
        try
        {
            index = OciJson.DeserializeIndex(raw);
        }
        catch (InvalidDataException e)
        {
            throw new ArchiveFormatException($"{archive.DisplayName}: image index {descriptor.Digest.Short} is damaged: {e.Message}", e);
        }
        var layout = new OciLayout(store);
        foreach (var child in index.Manifests)
        {
            if (MediaTypes.IsIndex(child.MediaType))
                await StoreIndexAsync(archive, store, child, options, progress, depth + 1, cancellationToken).ConfigureAwait(false);
            else if (MediaTypes.IsManifest(child.MediaType))
            {
                var image = await OciArchiveReader.ReadImageAsync(archive, child, Platform.Host, cancellationToken).ConfigureAwait(false);
                if (image.Layers.Count != image.Config.RootFs.DiffIds.Count)
                    throw new ArchiveFormatException($"{archive.DisplayName}: image {image.ConfigDigest.Short} has {image.Layers.Count} layers but its config lists {image.Config.RootFs.DiffIds.Count} diff IDs; the archive is damaged");
                await layout.WriteImageAsync(await StoreLayersAsync(store, new ArchiveImage(image, []), options, progress, cancellationToken).ConfigureAwait(false), progress, cancellationToken).ConfigureAwait(false);
            }
        }
        await store.WriteBytesAsync(raw, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes an image's layers, each read once. A docker archive's image gets a new manifest naming its stored layers:
    /// uncompressed ones as they are (the media type of the manifest's flavour), or compressed when asked.
    /// </summary>
    private static async Task<IImage> StoreLayersAsync(ContentStore store, ArchiveImage archived, ArchiveLoadOptions options, IProgress<BlobProgress>? progress, CancellationToken cancellationToken)
    {
        var image = archived.Image;
        bool oci = image.ManifestMediaType == MediaTypes.OciManifest;
        var stats = new LayerStatsCache(store);
        var stored = new List<Descriptor>();
        for (int i = 0; i < image.Layers.Count; i++)
        {
            var layer = image.Layers[i];
            var what = $"layer {i + 1} of image {image.ConfigDigest.Short}";
            var compression = MediaTypes.LayerCompressionOf(layer.MediaType);
            Descriptor descriptor;
            bool skipped;
            if (archived.ManifestSynthesized && options.CompressLayers && compression == LayerCompression.None)
            {
                (descriptor, var compressed) = await LayerIngest.CompressOnceAsync(store, layer, oci, what, null, cancellationToken).ConfigureAwait(false);
                skipped = !compressed;
            }
            else if (store.Exists(layer.Digest))
            {
                descriptor = new Descriptor { MediaType = layer.MediaType, Digest = layer.Digest, Size = layer.Size };
                skipped = true;
            }
            else
            {
                var ingested = await LayerIngest.CopyAsync(store, layer, what, cancellationToken).ConfigureAwait(false);
                if (ingested.Stats is { } counted) stats.Set(layer.Digest, counted);
                descriptor = ingested.Descriptor;
                skipped = false;
            }
            if (archived.ManifestSynthesized && MediaTypes.LayerCompressionOf(descriptor.MediaType) is LayerCompression.None or LayerCompression.Gzip)
                descriptor = descriptor with { MediaType = MediaTypes.LayerMediaType(MediaTypes.LayerCompressionOf(descriptor.MediaType), oci) };
            progress?.Report(new BlobProgress(descriptor.Digest, descriptor.Size, descriptor.Size, skipped));
            stored.Add(descriptor);
        }
        if (!archived.ManifestSynthesized) return WithStoreLayers(store, image, image.RawManifest, image.Manifest);
        var manifest = image.Manifest with { Layers = stored };
        return WithStoreLayers(store, image, OciJson.Serialize(manifest), manifest);
    }

    private static IImage WithStoreLayers(ContentStore store, IImage image, ReadOnlyMemory<byte> rawManifest, ImageManifest manifest)
    {
        var layers = manifest.Layers.Select((d, i) => (ILayer)new StoreLayer(store, d, image.Config.RootFs.DiffIds[i])).ToList();
        return Image.FromParts(rawManifest, manifest, image.ManifestMediaType, image.RawConfig, image.Config, layers);
    }
}
