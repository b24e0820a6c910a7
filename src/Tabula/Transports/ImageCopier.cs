using Tabula.Archives;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Transports;

/// <summary>
/// <c>tabula copy</c>: one image from any transport to any other. Compressed blobs and the manifest's exact bytes are
/// moved untouched (an archive format that needs another layer form excepted, a registry, which gets uncompressed
/// layers gzip-compressed, and an OCI layout or archive, which gets OCI media types unless <see cref="PreserveDigests"/>);
/// blobs the destination has are skipped;
/// every blob read is verified as it streams; names are written last.
/// </summary>
internal sealed class ImageCopier(ImageStore store, Func<string, RegistryClient> registryClient, int parallelism = 3, string? dockerSocket = null)
{
    /// <summary>
    /// Keep the source's manifest bytes (skopeo's <c>--preserve-digests</c>): an OCI layout or archive then gets them as
    /// they are instead of OCI media types; a destination that would need a new manifest is refused.
    /// </summary>
    public bool PreserveDigests { get; init; }

    public async Task<Digest> CopyAsync(ImageLocation source, ImageLocation destination, Platform? platform, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        var owned = new List<IDisposable>();
        try
        {
            var opened = await new ImageSources(() => store, registryClient, dockerSocket).OpenAsync(source, platform, cancellationToken).ConfigureAwait(false);
            owned.Add(opened);
            return await WriteAsync(opened.Image, opened.Names, destination, owned, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var item in owned) item.Dispose();
        }
    }

    private async Task<Digest> WriteAsync(IImage image, IReadOnlyList<ImageReference> names, ImageLocation destination, List<IDisposable> owned, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        var blobProgress = BlobEvents(progress);
        switch (destination.Kind)
        {
            case TransportKind.Registry:
            {
                if (PreserveDigests && image.Manifest.Layers.Any(l => MediaTypes.LayerCompressionOf(l.MediaType) == LayerCompression.None))
                    throw new MediaTypeConversionException(DigestPreservation.UncompressedForRegistry);
                var reference = destination.RegistryReference;
                var client = registryClient(reference.Registry);
                owned.Add(client);
                var manifest = await PushImageAsync(image, client, reference.Repository, reference.Tag ?? reference.Digest?.ToString() ?? ImageReference.DefaultTag, progress, cancellationToken).ConfigureAwait(false);
                return Digest.Compute(manifest);
            }
            case TransportKind.Store:
            {
                using var lease = await store.Content.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false);
                var descriptor = await store.Layout.WriteImageAsync(image, blobProgress, cancellationToken).ConfigureAwait(false);
                var name = destination.Reference is { Length: > 0 } n ? ImageReference.Parse(n) : names.FirstOrDefault();
                if (name is null) await store.References.AddUnnamedAsync(descriptor, cancellationToken).ConfigureAwait(false);
                else await store.References.TagAsync(name, descriptor, cancellationToken).ConfigureAwait(false);
                return image.ManifestDigest;
            }
            case TransportKind.OciLayout:
            {
                if (!PreserveDigests) image = OciConversion.ToOci(image);
                var content = ContentStore.Open(destination.Path);
                using var lease = await content.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false);
                var descriptor = await new OciLayout(content).WriteImageAsync(image, blobProgress, cancellationToken).ConfigureAwait(false);
                await NameInLayoutAsync(content, descriptor, destination.Reference, cancellationToken).ConfigureAwait(false);
                return image.ManifestDigest;
            }
            case TransportKind.DockerDaemon:
            {
                if (PreserveDigests) throw new MediaTypeConversionException(DigestPreservation.DockerDaemon);
                var name = ImageReference.Parse(destination.Reference ?? throw new FormatException("docker-daemon: needs an image name"));
                using var spool = new TempFile(Path.Combine(store.Content.IngestPath, $"{Environment.ProcessId}-{Guid.NewGuid():N}.docker-load.tar"));
                await using (var output = new FileStream(spool.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                    await ArchiveWriter.WriteAsync([new ArchiveImage(image, [name])], ArchiveFormat.Docker, output, cancellationToken, store.Content.IngestPath).ConfigureAwait(false);
                using var daemon = new DockerDaemon(dockerSocket);
                await daemon.LoadAsync(spool.Path, cancellationToken).ConfigureAwait(false);
                return image.ManifestDigest;
            }
            default:
            {
                var format = destination.Kind == TransportKind.OciArchive ? ArchiveFormat.Oci : ArchiveFormat.Docker;
                // Converted here too (the writer's conversion is then a no-op), so the digest returned is the one written.
                if (format == ArchiveFormat.Oci && !PreserveDigests) image = OciConversion.ToOci(image);
                IReadOnlyList<ImageReference> archiveNames = destination.Reference is { } r
                    ? [ImageReference.Parse(r.Contains(':') || r.Contains('/') || names.Count == 0 ? r : $"{names[0].Name}:{r}")]
                    : names;
                var full = Path.GetFullPath(destination.Path);
                var temp = $"{full}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";
                try
                {
                    await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                    {
                        await ArchiveWriter.WriteAsync([new ArchiveImage(image, archiveNames)], format, output, cancellationToken, Path.GetDirectoryName(full), PreserveDigests).ConfigureAwait(false);
                        output.Flush(flushToDisk: true);
                    }
                    File.Move(temp, full, overwrite: true);
                }
                finally
                {
                    if (File.Exists(temp)) File.Delete(temp);
                }
                return image.ManifestDigest;
            }
        }
    }

    /// <summary>Blobs written into a layout, reported as the transfer events a display shows.</summary>
    public static IProgress<BlobProgress>? BlobEvents(IProgress<TransferEvent>? progress)
        => progress is null ? null : new Progress<BlobProgress>(p => progress.Report(new TransferEvent(p.Skipped ? TransferKind.Exists : TransferKind.Downloaded, p.Digest, p.Total)));

    /// <summary>
    /// Lists a manifest or index in an OCI layout's index.json under <paramref name="tag"/> (replacing what the tag named
    /// before), or untagged when null.
    /// </summary>
    public static async Task NameInLayoutAsync(ContentStore content, Descriptor descriptor, string? tag, CancellationToken cancellationToken)
    {
        await new ReferenceStore(content).UpdateAsync(entries =>
        {
            if (tag is null)
            {
                if (!entries.Any(e => e.Digest == descriptor.Digest)) entries.Add(descriptor);
                return;
            }
            entries.RemoveAll(e => e.Annotation(AnnotationKeys.RefName) == tag);
            entries.Add(descriptor.WithAnnotation(AnnotationKeys.RefName, tag));
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads an image's layers and config and puts its manifest under <paramref name="tag"/> (by its digest when
    /// null, as an index's child goes up); returns the manifest bytes sent (rewritten when layers had to be compressed).
    /// </summary>
    public async Task<byte[]> PushImageAsync(IImage image, RegistryClient client, string repository, string? tag, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        // Uncompressed layers (a docker archive's, say) are compressed into the store once: GC must wait.
        using var lease = await store.Content.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false);
        var form = new RegistryLayerForm(store.Content, client, repository, progress);
        bool oci = RegistryLayerForm.IsOci(image.ManifestMediaType);
        var uploaded = new Descriptor[image.Layers.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, uploaded.Length), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var layer = image.Layers[i];
            var original = image.Manifest.Layers[i];
            var blob = await form.PrepareAsync(original, layer, oci, ct).ConfigureAwait(false);
            Func<CancellationToken, Task<Stream>> open = ReferenceEquals(blob, original)
                ? async token => await layer.OpenCompressedAsync(token).ConfigureAwait(false)
                : _ => Task.FromResult(store.Content.OpenRead(blob.Digest, blob.Size));
            var result = await client.UploadBlobAsync(repository, blob.Digest, blob.Size,
                async token => TransferProgressStream.Wrap(await open(token).ConfigureAwait(false), blob.Digest, blob.Size, progress), null, ct).ConfigureAwait(false);
            progress?.Report(new TransferEvent(result == UploadResult.Exists ? TransferKind.Exists : TransferKind.Uploaded, blob.Digest, blob.Size));
            uploaded[i] = blob;
        }).ConfigureAwait(false);
        var config = image.RawConfig;
        await client.UploadBlobAsync(repository, image.Manifest.Config.Digest, config.Length, _ => Task.FromResult<Stream>(new MemoryStream(config.ToArray())), null, cancellationToken).ConfigureAwait(false);
        var manifest = RegistryLayerForm.Rewrite(image.RawManifest.ToArray(), image.Manifest, uploaded);
        await client.PutManifestAsync(repository, tag ?? Digest.Compute(manifest).ToString(), manifest, image.ManifestMediaType, cancellationToken).ConfigureAwait(false);
        return manifest;
    }
}

/// <summary>A spool file deleted on dispose.</summary>
internal sealed class TempFile(string path) : IDisposable
{
    public string Path { get; } = path;

    public void Dispose()
    {
        // Best effort on a clean-up path: a temp file left behind costs disk only, and failing here would hide
        // the error that brought us here.
        try { File.Delete(Path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
