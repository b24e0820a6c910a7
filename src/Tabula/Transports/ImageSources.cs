using Tabula.Archives;
using Tabula.Content;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Transports;

/// <summary>
/// Opens an image at any transport for reading: what <c>copy</c> reads from, and what <c>analyze</c> and <c>diff</c>
/// look into. The store is only opened (and so created) for <c>store:</c> and for the spool of <c>docker-daemon:</c>;
/// a registry's layers are streamed when read, never stored.
/// </summary>
internal sealed class ImageSources(Func<ImageStore> store, Func<string, RegistryClient> registryClient, string? dockerSocket = null)
{
    public async Task<OpenedImage> OpenAsync(ImageLocation source, Platform? platform, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var owned = new List<IDisposable>();
        try
        {
            var (image, names) = await OpenAsync(source, platform, owned, cancellationToken).ConfigureAwait(false);
            return new OpenedImage(image, names, owned);
        }
        catch
        {
            foreach (var item in owned) item.Dispose();
            throw;
        }
    }

    /// <summary>The OCI layout of an <c>oci:</c> location, which must exist.</summary>
    public static ContentStore OpenLayout(ImageLocation source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!File.Exists(Path.Combine(source.Path, "index.json"))) throw new FileNotFoundException($"{source}: no OCI layout (index.json) at {source.Path}");
        return ContentStore.Open(source.Path);
    }

    /// <summary>The index.json entry an <c>oci:DIR[:TAG]</c> location names: by its ref.name tag, or the only one.</summary>
    public static async Task<Descriptor> LayoutEntryAsync(ImageLocation source, ContentStore content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var entries = await new ReferenceStore(content).ListAsync(cancellationToken).ConfigureAwait(false);
        return source.Reference is { } tag
            ? entries.FirstOrDefault(e => e.Annotation(AnnotationKeys.RefName) == tag) ?? throw new ImageNotFoundException(source.ToString())
            : entries.Count == 1 ? entries[0] : throw new FormatException($"{source}: the layout holds {entries.Count} images; name one with oci:DIR:TAG");
    }

    private async Task<(Images.IImage Image, IReadOnlyList<ImageReference> Names)> OpenAsync(ImageLocation source, Platform? platform, List<IDisposable> owned, CancellationToken cancellationToken)
    {
        switch (source.Kind)
        {
            case TransportKind.Registry:
            {
                var reference = source.RegistryReference;
                var client = registryClient(reference.Registry);
                owned.Add(client);
                return (await RegistryImage.LoadAsync(client, reference, platform, cancellationToken).ConfigureAwait(false), [reference]);
            }
            case TransportKind.Store:
            {
                var images = store();
                var stored = await images.Resolver.ResolveAsync(source.Reference ?? throw new FormatException("store: needs an image name or ID"), cancellationToken).ConfigureAwait(false);
                return (await images.LoadAsync(stored, platform, cancellationToken).ConfigureAwait(false), stored.Names);
            }
            case TransportKind.OciLayout:
            {
                var content = OpenLayout(source);
                var entry = await LayoutEntryAsync(source, content, cancellationToken).ConfigureAwait(false);
                return (await new OciLayout(content).LoadImageAsync(entry, platform, cancellationToken).ConfigureAwait(false), []);
            }
            case TransportKind.DockerDaemon:
            {
                var name = source.Reference ?? throw new FormatException("docker-daemon: needs an image name");
                var spool = new TempFile(Path.Combine(store().Content.IngestPath, $"{Environment.ProcessId}-{Guid.NewGuid():N}.docker-save.tar"));
                owned.Add(spool);
                using (var daemon = new DockerDaemon(dockerSocket))
                    await daemon.SaveAsync(name, spool.Path, cancellationToken).ConfigureAwait(false);
                var reader = await ArchiveReader.OpenAsync(spool.Path, new ArchiveReadOptions(platform), cancellationToken).ConfigureAwait(false);
                owned.Insert(0, reader);
                var archived = reader.Images.FirstOrDefault(i => i.Names.Any(n => ImageReference.TryParse(name, out var r) && n == r)) ?? reader.Images.FirstOrDefault()
                    ?? throw new ImageNotFoundException(source.ToString());
                return (archived.Image, archived.Names);
            }
            default:
            {
                var reader = await ArchiveReader.OpenAsync(source.Path, new ArchiveReadOptions(platform), cancellationToken).ConfigureAwait(false);
                owned.Add(reader);
                ArchiveImage archived;
                if (source.Reference is { } wanted)
                {
                    archived = reader.Images.FirstOrDefault(i => i.Names.Any(n => n.ToString() == wanted || n.Tag == wanted || ImageReference.TryParse(wanted, out var r) && n == r))
                        ?? throw new ImageNotFoundException(source.ToString());
                }
                else
                {
                    archived = reader.Images.Count == 1 ? reader.Images[0] : throw new FormatException($"{source}: the archive holds {reader.Images.Count} images; name one with {source}:NAME");
                }
                return (archived.Image, archived.Names);
            }
        }
    }
}
