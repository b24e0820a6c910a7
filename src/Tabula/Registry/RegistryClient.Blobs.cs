using System.Net;
using Tabula.Oci;

namespace Tabula.Registry;

/// <summary>Reading blobs: HEAD for presence and size, GET verified against digest and size.</summary>
internal sealed partial class RegistryClient
{
    /// <summary><c>HEAD</c> a blob: its size when the repository has it, null when not.</summary>
    public async Task<long?> BlobSizeAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, Url($"v2/{repository}/blobs/{digest}")), [RegistryScope.Pull(repository)], cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, $"checking blob {digest.Short} in {repository}", cancellationToken).ConfigureAwait(false);
        return response.Content.Headers.ContentLength ?? 0;
    }

    /// <summary>Opens a blob; the stream is verified against digest and size as it is read.</summary>
    public Task<Stream> OpenBlobAsync(string repository, Digest digest, long? size, CancellationToken cancellationToken)
        => OpenBlobAsync(repository, digest, size, hashDigest: true, cancellationToken);

    /// <summary>
    /// Opens a blob held to its size; with <paramref name="hashDigest"/> false the caller must check the digest itself
    /// (the store does, when it commits a blob to an expected digest), so that the bytes are hashed once.
    /// </summary>
    internal async Task<Stream> OpenBlobAsync(string repository, Digest digest, long? size, bool hashDigest, CancellationToken cancellationToken)
    {
        if (!hashDigest && size is null) throw new ArgumentException("a blob read without hashing must be held to its size", nameof(size));
        if (digest.Algorithm != Digest.Sha256) throw new NotSupportedException($"blob {digest}: only sha256 digests are supported");
        var url = Url($"v2/{repository}/blobs/{digest}");
        var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), [RegistryScope.Pull(repository)], cancellationToken).ConfigureAwait(false);
        try
        {
            if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, $"fetching blob {digest.Short} from {repository}", cancellationToken).ConfigureAwait(false);
            var what = $"blob {digest.Short} from {Registry}/{repository}";
            if (size is { } s && response.Content.Headers.ContentLength is { } length && length != s)
                throw new RegistryContentException($"{what}: the registry announces {length} bytes instead of {s}; nothing was stored");
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var resuming = new ResumingBlobBody(response, body, (offset, ct) => SendAsync(() => RangeRequest(url, offset), [RegistryScope.Pull(repository)], ct), what);
            return new BlobReadStream(resuming, digest, size, what, hashDigest, new ReadStallGuard(_options.Timeout));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static HttpRequestMessage RangeRequest(Uri url, long offset)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(offset, null);
        return request;
    }
}
