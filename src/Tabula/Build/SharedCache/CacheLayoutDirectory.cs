using Tabula.Content;
using Tabula.Oci;

namespace Tabula.Build.SharedCache;

/// <summary>
/// An OCI image layout directory holding caches (<c>index.json</c>, <c>oci-layout</c>, <c>blobs/sha256</c>), as a CI
/// cache action saves and restores it. Blobs appear by rename, whole; a re-export replaces the tag's manifest and
/// removes the blobs only the replaced one used, so the directory does not grow with every run.
/// </summary>
internal sealed class CacheLayoutDirectory(string directory)
{
    private string IndexPath => Path.Combine(directory, "index.json");

    private string BlobPath(Digest digest) => Path.Combine(directory, "blobs", digest.Algorithm, digest.Encoded);

    public void Create()
    {
        Directory.CreateDirectory(Path.Combine(directory, "blobs", Digest.Sha256));
        var marker = Path.Combine(directory, "oci-layout");
        if (!File.Exists(marker)) AtomicFile.Write(marker, OciJson.Serialize(new OciLayoutFile()), durable: false);
        if (!File.Exists(IndexPath)) AtomicFile.Write(IndexPath, OciJson.Serialize(new ImageIndex { MediaType = MediaTypes.OciIndex }), durable: false);
    }

    /// <summary>Copies a blob in unless the directory has it; returns whether it was written.</summary>
    public async Task<bool> PutAsync(Digest digest, long size, Func<CancellationToken, Task<Stream>> open, CancellationToken cancellationToken)
    {
        var path = BlobPath(digest);
        if (new FileInfo(path) is { Exists: true } existing && existing.Length == size) return false;
        var temp = $"{path}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var source = await open(cancellationToken).ConfigureAwait(false))
            await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                await source.CopyToAsync(target, 1 << 16, cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
        return true;
    }

    /// <summary>Writes a small blob unless the directory has it; returns whether it was written.</summary>
    public bool Put(byte[] bytes)
    {
        var path = BlobPath(Digest.Compute(bytes));
        if (File.Exists(path)) return false;
        AtomicFile.Write(path, bytes, durable: false);
        return true;
    }

    /// <summary>Names <paramref name="manifest"/> <paramref name="tag"/> in index.json; the blobs only the manifest it replaces used are removed.</summary>
    public void Tag(Descriptor manifest, string tag)
    {
        var index = OciJson.DeserializeIndex(File.ReadAllBytes(IndexPath));
        var replaced = index.Manifests.Where(m => m.Annotation(AnnotationKeys.RefName) == tag && m.Digest != manifest.Digest).ToList();
        var kept = index.Manifests.Where(m => m.Annotation(AnnotationKeys.RefName) != tag).Append(manifest.WithAnnotation(AnnotationKeys.RefName, tag)).ToList();
        AtomicFile.Write(IndexPath, OciJson.Serialize(index with { Manifests = kept }), durable: false);
        if (replaced.Count == 0) return;
        // Only what a plain manifest names is known here: with an index among the others, nothing is removed.
        var keptBlobs = new HashSet<Digest>();
        foreach (var other in kept)
        {
            if (BlobsOf(other) is not { } blobs) return;
            keptBlobs.UnionWith(blobs);
        }
        foreach (var old in replaced)
            foreach (var blob in BlobsOf(old) ?? [])
                if (!keptBlobs.Contains(blob)) File.Delete(BlobPath(blob));
    }

    /// <summary>A manifest's own blob, its config and layers; null when it is not a manifest this directory holds.</summary>
    private List<Digest>? BlobsOf(Descriptor descriptor)
    {
        if (!MediaTypes.IsManifest(descriptor.MediaType) || !File.Exists(BlobPath(descriptor.Digest))) return null;
        try
        {
            var manifest = OciJson.DeserializeManifest(File.ReadAllBytes(BlobPath(descriptor.Digest)));
            return [descriptor.Digest, manifest.Config.Digest, .. manifest.Layers.Select(l => l.Digest)];
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
