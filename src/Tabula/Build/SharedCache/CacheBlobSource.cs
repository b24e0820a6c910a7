using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Build.SharedCache;

/// <summary>Where an imported cache's blobs are read from, once a hit needs one.</summary>
internal interface ICacheBlobSource : IDisposable
{
    string Display { get; }

    /// <summary>The blob, held to its size; the store checks its digest as it commits it.</summary>
    Task<Stream> OpenAsync(Descriptor blob, CancellationToken cancellationToken);
}

/// <summary>Blobs of a repository of a registry.</summary>
internal sealed class RegistryBlobSource(RegistryClient client, ImageReference reference) : ICacheBlobSource
{
    public RegistryClient Client => client;
    public ImageReference Reference => reference;
    public string Display => reference.ToString();

    public Task<Stream> OpenAsync(Descriptor blob, CancellationToken cancellationToken)
        => client.OpenBlobAsync(reference.Repository, blob.Digest, blob.Size, hashDigest: false, cancellationToken);

    public void Dispose() => client.Dispose();
}

/// <summary>Blobs of an OCI layout directory (<c>blobs/ALG/HEX</c>).</summary>
internal sealed class LayoutBlobSource(string directory) : ICacheBlobSource
{
    public string Display => directory;

    public Task<Stream> OpenAsync(Descriptor blob, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, "blobs", blob.Digest.Algorithm, blob.Digest.Encoded);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        if (file.Length != blob.Size)
        {
            file.Dispose();
            throw new InvalidDataException($"blob {blob.Digest.Short} in {directory} has {file.Length} bytes, the cache says {blob.Size}");
        }
        return Task.FromResult<Stream>(file);
    }

    public void Dispose()
    {
    }
}
