using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Tabula.Oci;

namespace Tabula.Registry;

/// <summary>Manifests and tags: get, check, put, list with pagination.</summary>
internal sealed partial class RegistryClient
{
    /// <summary>
    /// Gets a manifest or index by tag or digest, keeping its exact bytes. When asked by digest, the bytes must hash
    /// to it; by tag, they must hash to the registry's <c>Docker-Content-Digest</c> when it sends one.
    /// </summary>
    public async Task<RegistryManifest> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Url($"v2/{repository}/manifests/{reference}"));
            foreach (var type in ManifestAccept) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            return request;
        }, [RegistryScope.Pull(repository)], cancellationToken).ConfigureAwait(false);
        var what = $"{Registry}/{repository}:{reference}";
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw await ErrorAsync(response, $"manifest for {what} not found", cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, $"fetching manifest {what}", cancellationToken).ConfigureAwait(false);
        var bytes = await ReadLimitedAsync(response, MaxManifestBytes, cancellationToken).ConfigureAwait(false);
        var digest = Digest.Compute(bytes);
        if (Digest.TryParse(reference, out var asked) && asked != digest)
            throw new RegistryContentException($"manifest {what}: content does not match its digest: got {digest}; nothing was stored");
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var values) && Digest.TryParse(values.FirstOrDefault(), out var announced)
            && announced.Algorithm == Digest.Sha256 && announced != digest)
            throw new RegistryContentException($"manifest {what}: the registry announces {announced} but the content hashes to {digest}; nothing was stored");
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!MediaTypes.IsManifest(mediaType) && !MediaTypes.IsIndex(mediaType))
        {
            try { mediaType = OciJson.DetectManifestMediaType(bytes); }
            catch (InvalidDataException e) { throw new RegistryException($"manifest {what}: {e.Message}"); }
        }
        return new RegistryManifest(bytes, mediaType!, digest);
    }

    /// <summary>Whether the repository has a manifest of this digest.</summary>
    public async Task<bool> ManifestExistsAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Head, Url($"v2/{repository}/manifests/{digest}"));
            foreach (var type in ManifestAccept) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            return request;
        }, [RegistryScope.Pull(repository)], cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, $"checking manifest {digest.Short} in {repository}", cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Puts a manifest under a tag or its digest; returns the digest of the bytes sent.</summary>
    public async Task<Digest> PutManifestAsync(string repository, string reference, ReadOnlyMemory<byte> bytes, string mediaType, CancellationToken cancellationToken)
        => (await PutManifestWithSubjectAsync(repository, reference, bytes, mediaType, cancellationToken).ConfigureAwait(false)).Digest;

    /// <summary>
    /// Puts a manifest and also says whether the registry answered with an <c>OCI-Subject</c> header: a registry that
    /// does, keeps the manifest's <c>subject</c> in its referrers API (distribution spec 1.1), so no fallback tag is needed.
    /// </summary>
    public async Task<(Digest Digest, Digest? Subject)> PutManifestWithSubjectAsync(string repository, string reference, ReadOnlyMemory<byte> bytes, string mediaType, CancellationToken cancellationToken)
    {
        var digest = Digest.Compute(bytes.Span);
        using var response = await SendAsync(() =>
        {
            var content = new ReadOnlyMemoryContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpRequestMessage(HttpMethod.Put, Url($"v2/{repository}/manifests/{reference}")) { Content = content };
        }, [RegistryScope.PullPush(repository)], cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, $"pushing manifest {Registry}/{repository}:{reference}", cancellationToken).ConfigureAwait(false);
        Digest? subject = response.Headers.TryGetValues("OCI-Subject", out var values) && Digest.TryParse(values.FirstOrDefault(), out var announced) ? announced : null;
        return (digest, subject);
    }

    /// <summary>
    /// The referrers of a manifest (<c>GET /v2/NAME/referrers/DIGEST</c>, optionally filtered by artifact type), or
    /// null when the registry has no referrers API (404), so that the caller falls back to the <c>sha256-HEX</c> tag.
    /// </summary>
    public async Task<ImageIndex?> GetReferrersAsync(string repository, Digest subject, string? artifactType, CancellationToken cancellationToken)
    {
        var query = artifactType is null ? "" : $"?artifactType={Uri.EscapeDataString(artifactType)}";
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Url($"v2/{repository}/referrers/{subject}{query}"));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.OciIndex));
            return request;
        }, [RegistryScope.Pull(repository)], cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, $"listing the referrers of {Registry}/{repository}@{subject}", cancellationToken).ConfigureAwait(false);
        // A registry without the API may still answer 200 with something else (an HTML page, a v2 error): only an index counts.
        var bytes = await ReadLimitedAsync(response, MaxManifestBytes, cancellationToken).ConfigureAwait(false);
        try { return OciJson.DeserializeIndex(bytes); }
        catch (InvalidDataException) { return null; }
    }

    /// <summary>All tags of a repository, following <c>Link</c> pagination.</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken, int pageSize = 0)
    {
        var tags = new List<string>();
        string? next = $"v2/{repository}/tags/list" + (pageSize > 0 ? $"?n={pageSize}" : "");
        while (next is not null)
        {
            // Made inside the request factory: the address is only known once SendAsync has pinged the registry.
            var page = next;
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Url(page)), [RegistryScope.Pull(repository)], cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, $"listing tags of {Registry}/{repository}", cancellationToken).ConfigureAwait(false);
            var body = await ReadLimitedAsync(response, 16 << 20, cancellationToken).ConfigureAwait(false);
            using (var doc = JsonDocument.Parse(body))
            {
                if (doc.RootElement.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array)
                    tags.AddRange(list.EnumerateArray().Select(t => t.GetString()).OfType<string>());
            }
            next = response.Headers.TryGetValues("Link", out var links) ? NextLink(links.FirstOrDefault()) : null;
        }
        return tags;
    }

    /// <summary>The target of <c>Link: &lt;/v2/…?last=x&amp;n=y&gt;; rel="next"</c>.</summary>
    internal static string? NextLink(string? header)
    {
        if (header is null) return null;
        foreach (var part in header.Split(','))
        {
            int open = part.IndexOf('<'), close = part.IndexOf('>');
            if (open < 0 || close < open || !part[close..].Contains("rel=\"next\"", StringComparison.OrdinalIgnoreCase) && !part[close..].Contains("rel=next", StringComparison.OrdinalIgnoreCase)) continue;
            var target = part[(open + 1)..close].Trim();
            return target.StartsWith('/') ? target[1..] : target;
        }
        return null;
    }
}
