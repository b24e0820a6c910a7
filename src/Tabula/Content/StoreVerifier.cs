using Tabula.Oci;

namespace Tabula.Content;

/// <summary>One thing wrong in the store: which image (its name, or its ID when it has none) and what.</summary>
internal sealed record StoreProblem(string Image, string What);

/// <summary>
/// What <c>tabula verify</c> checks (as <c>crane validate</c> and <c>ctr content verify</c> do): every blob an image
/// references is there, has the size its descriptor says and hashes to its digest (read whole, streaming); every
/// manifest and index parses as its kind; every config parses and names one diff ID per layer. A blob shared by
/// several images is read once. Nothing is changed.
/// </summary>
internal sealed class StoreVerifier(ContentStore store)
{
    private readonly Dictionary<Digest, string?> _checked = [];

    /// <summary>The problems of <paramref name="images"/> (each named by <paramref name="nameOf"/>), in the order found.</summary>
    public async Task<IReadOnlyList<StoreProblem>> VerifyAsync(IEnumerable<StoredImage> images, Func<StoredImage, string> nameOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(nameOf);
        var problems = new List<StoreProblem>();
        foreach (var image in images)
        {
            var found = new List<string>();
            await VerifyManifestAsync(image.Manifest, found, cancellationToken).ConfigureAwait(false);
            problems.AddRange(found.Select(what => new StoreProblem(nameOf(image), what)));
        }
        return problems;
    }

    private async Task VerifyManifestAsync(Descriptor descriptor, List<string> problems, CancellationToken cancellationToken)
    {
        if (!await BlobOkAsync(descriptor, "manifest", problems, cancellationToken).ConfigureAwait(false)) return;
        var raw = await store.ReadAllBytesAsync(descriptor.Digest, cancellationToken).ConfigureAwait(false);
        try
        {
            if (MediaTypes.IsIndex(OciJson.DetectManifestMediaType(raw)))
            {
                foreach (var child in OciJson.DeserializeIndex(raw).Manifests)
                    await VerifyManifestAsync(child, problems, cancellationToken).ConfigureAwait(false);
                return;
            }
            var manifest = OciJson.DeserializeManifest(raw);
            if (await BlobOkAsync(manifest.Config, "config", problems, cancellationToken).ConfigureAwait(false))
            {
                var config = OciJson.DeserializeConfig(await store.ReadAllBytesAsync(manifest.Config.Digest, cancellationToken).ConfigureAwait(false));
                int diffIds = config.RootFs?.DiffIds?.Count ?? 0;
                if (diffIds != manifest.Layers.Count)
                    problems.Add($"config {manifest.Config.Digest.Short} names {diffIds} layers (rootfs.diff_ids) but the manifest has {manifest.Layers.Count}");
            }
            for (int i = 0; i < manifest.Layers.Count; i++)
                await BlobOkAsync(manifest.Layers[i], $"layer {i + 1}", problems, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException)
        {
            problems.Add($"manifest {descriptor.Digest.Short}: {e.Message}");
        }
    }

    /// <summary>Whether the blob is there with its size and digest; adds what is wrong otherwise.</summary>
    private async Task<bool> BlobOkAsync(Descriptor descriptor, string what, List<string> problems, CancellationToken cancellationToken)
    {
        if (!_checked.TryGetValue(descriptor.Digest, out var problem))
            _checked[descriptor.Digest] = problem = await CheckBlobAsync(descriptor, cancellationToken).ConfigureAwait(false);
        if (problem is null) return true;
        problems.Add($"{what} {descriptor.Digest}: {problem}");
        return false;
    }

    private async Task<string?> CheckBlobAsync(Descriptor descriptor, CancellationToken cancellationToken)
    {
        if (store.SizeOf(descriptor.Digest) is not { } size) return "missing";
        if (size != descriptor.Size) return $"holds {size} bytes, its descriptor says {descriptor.Size}";
        await using var file = new FileStream(store.BlobPath(descriptor.Digest), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var actual = await Digest.ComputeAsync(file, cancellationToken).ConfigureAwait(false);
        return actual == descriptor.Digest ? null : $"content hashes to {actual}";
    }
}
