using Tabula.Archives;
using Tabula.Content;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Transports;

/// <summary>
/// Pushes an image of the store to a registry: blobs the repository has are skipped, blobs of another repository of
/// the same registry are mounted, others uploaded (in parallel, bounded); manifests go last, the named one very last.
/// An index is pushed whole when the store has all its manifests, else only the chosen platform's manifest.
/// Uncompressed layers go up gzip-compressed, each compressed once (<see cref="RegistryLayerForm"/>), while other
/// layers upload; a manifest naming them is rewritten, and so is an index naming such a manifest.
/// </summary>
internal sealed class RegistryPusher(ImageStore store, RegistryClient client, int parallelism = 3)
{
    public async Task<PushResult> PushAsync(StoredImage source, ImageReference destination, Platform? platform, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        if (destination.Registry != client.Registry) throw new ArgumentException($"{destination} is not on {client.Registry}", nameof(destination));
        // Compressed layers written into the store are referenced by no image yet: GC must wait.
        using var lease = await store.Content.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false);
        var push = new Push(destination.Repository, source.Names.FirstOrDefault(n => n.Registry == destination.Registry && n.Repository != destination.Repository)?.Repository,
            new RegistryLayerForm(store.Content, client, destination.Repository, progress), progress);
        var raw = await store.Content.ReadAllBytesAsync(source.Manifest.Digest, cancellationToken).ConfigureAwait(false);
        var mediaType = OciJson.DetectManifestMediaType(raw);
        if (MediaTypes.IsIndex(mediaType))
        {
            var index = OciJson.DeserializeIndex(raw);
            if (await IsCompleteAsync(index, 0, cancellationToken).ConfigureAwait(false))
            {
                raw = await PushChildrenAsync(push, raw, index, 0, cancellationToken).ConfigureAwait(false);
                return await PutNamedAsync(destination, raw, mediaType, progress, cancellationToken).ConfigureAwait(false);
            }
            var wanted = platform ?? Platform.Host;
            var chosen = await PlatformSelection.ChooseAsync(source.Manifest.Digest, index, wanted,
                async (nested, ct) => OciJson.DeserializeIndex(await store.Content.ReadAllBytesAsync(nested.Digest, ct).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
            raw = await store.Content.ReadAllBytesAsync(chosen.Digest, cancellationToken).ConfigureAwait(false);
            mediaType = OciJson.DetectManifestMediaType(raw);
        }
        raw = await PushBlobsAsync(push, raw, mediaType, cancellationToken).ConfigureAwait(false);
        return await PutNamedAsync(destination, raw, mediaType, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Where one push goes and how its layers are prepared.</summary>
    private sealed record Push(string Repository, string? MountFrom, RegistryLayerForm Layers, IProgress<TransferEvent>? Progress);

    private async Task<PushResult> PutNamedAsync(ImageReference destination, byte[] raw, string mediaType, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        var reference = destination.Tag ?? destination.Digest?.ToString() ?? ImageReference.DefaultTag;
        var digest = Digest.Compute(raw);
        if (destination.Digest is { } asked && asked != digest)
            throw new PushTargetException(destination, digest);
        await client.PutManifestAsync(destination.Repository, reference, raw, mediaType, cancellationToken).ConfigureAwait(false);
        progress?.Report(new TransferEvent(TransferKind.ManifestWritten, digest, raw.Length));
        return new PushResult(destination, digest, raw.Length);
    }

    /// <summary>Whether the store has every manifest an index names, through nested indexes (a pull of one platform keeps the index only).</summary>
    private async Task<bool> IsCompleteAsync(ImageIndex index, int depth, CancellationToken cancellationToken)
    {
        if (depth >= PlatformSelection.MaxDepth) throw new InvalidDataException($"image indexes nested more than {PlatformSelection.MaxDepth} deep");
        foreach (var child in index.Manifests)
        {
            if (!store.Content.Exists(child.Digest)) return false;
            if (MediaTypes.IsIndex(child.MediaType)
                && !await IsCompleteAsync(OciJson.DeserializeIndex(await store.Content.ReadAllBytesAsync(child.Digest, cancellationToken).ConfigureAwait(false)), depth + 1, cancellationToken).ConfigureAwait(false))
                return false;
        }
        return true;
    }

    /// <summary>
    /// Pushes what an index names, children before parents (a registry may refuse an index naming a manifest it lacks);
    /// returns the index's bytes, rewritten only when a child's digest changed (its layers were compressed on the way).
    /// </summary>
    private async Task<byte[]> PushChildrenAsync(Push push, byte[] raw, ImageIndex index, int depth, CancellationToken cancellationToken)
    {
        var children = new List<Descriptor>();
        foreach (var child in index.Manifests)
        {
            var childRaw = await store.Content.ReadAllBytesAsync(child.Digest, cancellationToken).ConfigureAwait(false);
            var childType = OciJson.DetectManifestMediaType(childRaw);
            byte[] pushed;
            if (MediaTypes.IsManifest(childType)) pushed = await PushManifestAsync(push, childRaw, childType, cancellationToken).ConfigureAwait(false);
            else if (MediaTypes.IsIndex(childType))
            {
                pushed = await PushChildrenAsync(push, childRaw, OciJson.DeserializeIndex(childRaw), depth + 1, cancellationToken).ConfigureAwait(false);
                await client.PutManifestAsync(push.Repository, Digest.Compute(pushed).ToString(), pushed, childType, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                children.Add(child);
                continue;
            }
            children.Add(child with { Digest = Digest.Compute(pushed), Size = pushed.Length });
        }
        return children.SequenceEqual(index.Manifests) ? raw : OciJson.Serialize(index with { Manifests = children });
    }

    /// <summary>Pushes a child manifest of an index by digest; returns the bytes pushed.</summary>
    private async Task<byte[]> PushManifestAsync(Push push, byte[] raw, string mediaType, CancellationToken cancellationToken)
    {
        raw = await PushBlobsAsync(push, raw, mediaType, cancellationToken).ConfigureAwait(false);
        await client.PutManifestAsync(push.Repository, Digest.Compute(raw).ToString(), raw, mediaType, cancellationToken).ConfigureAwait(false);
        return raw;
    }

    /// <summary>Uploads a manifest's layers and config; returns the manifest naming what was uploaded.</summary>
    private async Task<byte[]> PushBlobsAsync(Push push, byte[] raw, string mediaType, CancellationToken cancellationToken)
    {
        var manifest = OciJson.DeserializeManifest(raw);
        foreach (var blob in manifest.Layers.Append(manifest.Config))
            if (!store.Content.Exists(blob.Digest))
                throw new BlobNotFoundException(blob.Digest, $"the store at {store.Content.Root} (the image is incomplete; pull or load it again)");
        var uploaded = new Descriptor[manifest.Layers.Count];
        bool oci = RegistryLayerForm.IsOci(mediaType);
        // Each layer is prepared (compressed if need be) and uploaded on its own: one compresses while another uploads.
        // The config goes up alongside them: the registry makes every blob durable before it answers.
        var config = PushBlobAsync(push, manifest.Config, null, cancellationToken);
        var layers = Parallel.ForEachAsync(Enumerable.Range(0, uploaded.Length), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var layer = manifest.Layers[i];
            // A stored uncompressed layer's digest is its diff ID: that is how it was verified when it came in.
            var blob = await push.Layers.PrepareAsync(layer, new StoreLayer(store.Content, layer, layer.Digest), oci, ct).ConfigureAwait(false);
            await PushBlobAsync(push, blob, push.Progress, ct).ConfigureAwait(false);
            uploaded[i] = blob;
        });
        await Task.WhenAll(layers, config).ConfigureAwait(false);
        return RegistryLayerForm.Rewrite(raw, manifest, uploaded);
    }

    private async Task PushBlobAsync(Push push, Descriptor blob, IProgress<TransferEvent>? progress, CancellationToken cancellationToken)
    {
        var result = await client.UploadBlobAsync(push.Repository, blob.Digest, blob.Size,
            _ => Task.FromResult(TransferProgressStream.Wrap(store.Content.OpenRead(blob.Digest, blob.Size), blob.Digest, blob.Size, progress)), push.MountFrom, cancellationToken).ConfigureAwait(false);
        progress?.Report(new TransferEvent(result switch
        {
            UploadResult.Exists => TransferKind.Exists,
            UploadResult.Mounted => TransferKind.Mounted,
            _ => TransferKind.Uploaded,
        }, blob.Digest, blob.Size));
    }
}
