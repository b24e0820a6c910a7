using Tabula.Archives;
using Tabula.Archives.Tar;
using Tabula.Content;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Transports;

/// <summary>
/// <c>copy --all</c> and <c>copy --platform a,b</c>: an image index between registries, the store and OCI layouts.
/// Whole, it keeps its structure (nested indexes copied as indexes) and its digest, unless a child had to be
/// rewritten on the way (a registry gets compressed layers); a subset is a new index of the same kind listing the
/// chosen platforms' manifests (found through nested indexes), so its digest is new. Children are written before
/// the index that names them, and the name last. A source that is a single image is copied as <c>copy</c> copies it.
/// </summary>
internal sealed class IndexCopier(ImageStore store, Func<string, RegistryClient> registryClient, string? dockerSocket = null)
{
    /// <summary>Images going into an OCI layout or archive keep their manifests (else they get OCI media types).</summary>
    public bool PreserveDigests { get; init; }

    /// <param name="platforms">The platforms to keep; null for all of them.</param>
    public async Task<Digest> CopyAsync(ImageLocation source, ImageLocation destination, IReadOnlyList<Platform>? platforms, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var owned = new List<IDisposable>();
        try
        {
            var reader = await OpenReaderAsync(store, registryClient, source, owned, cancellationToken).ConfigureAwait(false);
            if (reader is null || await reader.TopAsync(cancellationToken).ConfigureAwait(false) is not { IsIndex: true } top)
                return await Single(source, destination, platforms, progress, cancellationToken).ConfigureAwait(false);
            if (destination.Kind is TransportKind.DockerArchive or TransportKind.DockerDaemon)
                throw new UnsupportedIndexDestinationException(destination.ToString());
            if (destination.Kind is TransportKind.OciArchive)
                return await ToArchiveAsync(source, destination, platforms, progress, cancellationToken).ConfigureAwait(false);
            var (writer, lease) = await OpenWriterAsync(destination, owned, progress, cancellationToken).ConfigureAwait(false);
            using (lease)
            {
                var copied = platforms is null
                    ? await CopyWholeAsync(reader, writer, top, 0, cancellationToken).ConfigureAwait(false)
                    : await CopySubsetAsync(reader, writer, top, platforms, cancellationToken).ConfigureAwait(false);
                await writer.NameAsync(copied, reader.Names, cancellationToken).ConfigureAwait(false);
                return copied.Digest;
            }
        }
        finally
        {
            foreach (var item in owned) item.Dispose();
        }
    }

    /// <summary>
    /// An index into an oci-archive: copied into an OCI layout beside the file first, then archived from it, and the
    /// archive renamed into place only when complete.
    /// </summary>
    private async Task<Digest> ToArchiveAsync(ImageLocation source, ImageLocation destination, IReadOnlyList<Platform>? platforms, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(destination.Path);
        var spool = $"{full}.{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            var digest = await CopyAsync(source, destination with { Kind = TransportKind.OciLayout, Path = spool + ".layout" }, platforms, progress, cancellationToken).ConfigureAwait(false);
            await using (var output = new FileStream(spool + ".tmp", FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await LayoutArchiver.WriteAsync(ContentStore.Open(spool + ".layout"), output, cancellationToken).ConfigureAwait(false);
                output.Flush(flushToDisk: true);
            }
            File.Move(spool + ".tmp", full, overwrite: true);
            return digest;
        }
        finally
        {
            if (Directory.Exists(spool + ".layout")) Directory.Delete(spool + ".layout", recursive: true);
            if (File.Exists(spool + ".tmp")) File.Delete(spool + ".tmp");
        }
    }

    /// <summary>A single image: copied as <c>copy</c> copies one (a subset of one platform of a single image is that image).</summary>
    private Task<Digest> Single(ImageLocation source, ImageLocation destination, IReadOnlyList<Platform>? platforms, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
        => new ImageCopier(store, registryClient, dockerSocket: dockerSocket) { PreserveDigests = PreserveDigests }.CopyAsync(source, destination, platforms is [var only] ? only : null, progress, cancellationToken);

    /// <summary>An index and all it names, nested indexes written after their children; returns the index as written.</summary>
    public static async Task<ManifestBlob> CopyWholeAsync(IManifestReader reader, IManifestWriter writer, ManifestBlob index, int depth, CancellationToken cancellationToken)
    {
        if (depth >= PlatformSelection.MaxDepth) throw new InvalidDataException($"image indexes nested more than {PlatformSelection.MaxDepth} deep");
        var parsed = index.Index;
        var children = new List<Descriptor>();
        foreach (var child in parsed.Manifests)
        {
            if (MediaTypes.IsIndex(child.MediaType))
            {
                var nested = await CopyWholeAsync(reader, writer, await reader.GetAsync(child, cancellationToken).ConfigureAwait(false), depth + 1, cancellationToken).ConfigureAwait(false);
                await writer.WriteIndexAsync(nested, cancellationToken).ConfigureAwait(false);
                children.Add(child with { Digest = nested.Digest, Size = nested.Bytes.Length });
            }
            else if (MediaTypes.IsManifest(child.MediaType))
            {
                children.Add(await CopyImageAsync(reader, writer, child, cancellationToken).ConfigureAwait(false));
            }
            // Anything else (an artifact) is left out: it is no image, and the destination could not name it.
        }
        return children.SequenceEqual(parsed.Manifests) ? index : Rebuilt(parsed, index.MediaType, children);
    }

    private static async Task<ManifestBlob> CopySubsetAsync(IManifestReader reader, IManifestWriter writer, ManifestBlob index, IReadOnlyList<Platform> platforms, CancellationToken cancellationToken)
    {
        var parsed = index.Index;
        var chosen = new List<Descriptor>();
        foreach (var platform in platforms)
        {
            var entry = await PlatformSelection.ChooseAsync(index.Digest, parsed, platform,
                async (nested, ct) => (await reader.GetAsync(nested, ct).ConfigureAwait(false)).Index, cancellationToken).ConfigureAwait(false);
            if (chosen.All(c => c.Digest != entry.Digest)) chosen.Add(entry);
        }
        var children = new List<Descriptor>();
        foreach (var entry in chosen) children.Add(await CopyImageAsync(reader, writer, entry, cancellationToken).ConfigureAwait(false));
        return Rebuilt(parsed, index.MediaType, children);
    }

    /// <summary>
    /// The index over the children as written: a Docker manifest list whose children all became OCI (copied into an
    /// OCI layout) becomes an OCI index, as skopeo converts it, so no strict OCI reader meets a Docker list there.
    /// </summary>
    private static ManifestBlob Rebuilt(ImageIndex parsed, string mediaType, List<Descriptor> children)
    {
        if (mediaType == MediaTypes.DockerManifestList && children.All(c => c.MediaType is MediaTypes.OciManifest or MediaTypes.OciIndex))
            mediaType = MediaTypes.OciIndex;
        return new ManifestBlob(OciJson.Serialize(parsed with { MediaType = mediaType, Manifests = children }), mediaType);
    }

    /// <summary>One image of the index; its entry keeps platform and annotations and takes the digest written.</summary>
    private static async Task<Descriptor> CopyImageAsync(IManifestReader reader, IManifestWriter writer, Descriptor entry, CancellationToken cancellationToken)
    {
        var image = await reader.OpenImageAsync(entry, cancellationToken).ConfigureAwait(false);
        var written = await writer.WriteImageAsync(image, cancellationToken).ConfigureAwait(false);
        return entry with { MediaType = written.MediaType, Digest = written.Digest, Size = written.Size };
    }

    /// <summary>The reader for a location that may hold an index; null for transports whose images are single-platform here.</summary>
    public static async Task<IManifestReader?> OpenReaderAsync(ImageStore store, Func<string, RegistryClient> registryClient, ImageLocation source, List<IDisposable> owned, CancellationToken cancellationToken)
    {
        switch (source.Kind)
        {
            case TransportKind.Registry:
            {
                var reference = source.RegistryReference;
                var client = registryClient(reference.Registry);
                owned.Add(client);
                return new RegistryManifestReader(client, reference);
            }
            case TransportKind.Store:
            {
                var stored = await store.Resolver.ResolveAsync(source.Reference ?? throw new FormatException("store: needs an image name or ID"), cancellationToken).ConfigureAwait(false);
                return new LayoutManifestReader(store.Content, stored.Manifest, stored.Names);
            }
            case TransportKind.OciLayout:
            {
                var content = ImageSources.OpenLayout(source);
                return new LayoutManifestReader(content, await ImageSources.LayoutEntryAsync(source, content, cancellationToken).ConfigureAwait(false), []);
            }
            case TransportKind.OciArchive:
            {
                var archive = await ArchiveFile.OpenAsync(source.Path, null, cancellationToken).ConfigureAwait(false);
                owned.Add(archive);
                return new ArchiveManifestReader(archive, await OciArchiveReader.EntryAsync(archive, source.Reference, source.ToString(), cancellationToken).ConfigureAwait(false));
            }
            default:
                return null;
        }
    }

    private async Task<(IManifestWriter Writer, IDisposable Lease)> OpenWriterAsync(ImageLocation destination, List<IDisposable> owned, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        var blobProgress = ImageCopier.BlobEvents(progress);
        switch (destination.Kind)
        {
            case TransportKind.Registry:
            {
                var reference = destination.RegistryReference;
                var client = registryClient(reference.Registry);
                owned.Add(client);
                // Layers compressed for the registry on the way are written into the store: GC must wait.
                var lease = await store.Content.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false);
                return (new RegistryManifestWriter(new ImageCopier(store, registryClient, dockerSocket: dockerSocket), client, reference, progress), lease);
            }
            case TransportKind.Store:
                return (LayoutManifestWriter.ForStore(store, destination.Reference, blobProgress), await store.Content.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false));
            default:
            {
                var content = ContentStore.Open(destination.Path);
                return (LayoutManifestWriter.ForLayout(content, destination.Reference, toOci: !PreserveDigests, blobProgress), await content.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false));
            }
        }
    }
}

/// <summary>An index asked to go where only single-platform images go.</summary>
public sealed class UnsupportedIndexDestinationException(string destination)
    : Exception($"{destination} holds single-platform images only, and the source is a multi-platform index: choose one platform with --platform");
