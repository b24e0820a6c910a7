using System.Net;
using System.Net.Http.Headers;
using Tabula.Oci;

namespace Tabula.Registry;

/// <summary>Writing blobs: cross-repository mount, monolithic and chunked uploads, resumed from the registry's range.</summary>
internal sealed partial class RegistryClient
{
    /// <summary>
    /// Uploads a blob unless the repository has it: HEAD, then a cross-repository mount when <paramref name="mountFrom"/>
    /// is given, else POST and a monolithic PUT (or PATCH chunks, per <see cref="RegistryOptions.ChunkSize"/>).
    /// <paramref name="open"/> is called again for each attempt. Returns what happened.
    /// </summary>
    public async Task<UploadResult> UploadBlobAsync(string repository, Digest digest, long size, Func<CancellationToken, Task<Stream>> open, string? mountFrom, CancellationToken cancellationToken)
    {
        if (await BlobSizeAsync(repository, digest, cancellationToken).ConfigureAwait(false) is not null) return UploadResult.Exists;
        IReadOnlyList<RegistryScope> scopes = mountFrom is not null && mountFrom != repository
            ? [RegistryScope.PullPush(repository), RegistryScope.Pull(mountFrom)]
            : [RegistryScope.PullPush(repository)];
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var start = $"v2/{repository}/blobs/uploads/" + (mountFrom is not null && mountFrom != repository ? $"?mount={digest}&from={Uri.EscapeDataString(mountFrom)}" : "");
                Uri location;
                using (var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, Url(start)) { Content = new ByteArrayContent([]) }, scopes, cancellationToken).ConfigureAwait(false))
                {
                    if (response.StatusCode == HttpStatusCode.Created) return UploadResult.Mounted;
                    if (response.StatusCode != HttpStatusCode.Accepted) throw await ErrorAsync(response, $"starting the upload of blob {digest.Short} to {repository}", cancellationToken).ConfigureAwait(false);
                    location = LocationOf(response);
                }
                if (_options.ChunkSize > 0) await UploadChunkedAsync(location, repository, digest, size, open, scopes, cancellationToken).ConfigureAwait(false);
                else await UploadMonolithicAsync(location, repository, digest, size, open, scopes, cancellationToken).ConfigureAwait(false);
                return UploadResult.Uploaded;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is RegistryException { IsTransient: true } or HttpRequestException
                                      && (e is not RegistryTimeoutException || attempt < RetryPolicy.TimeoutAttempts)
                                      && _options.Retry.AfterException(attempt, e is RegistryException r ? r.InnerException ?? new HttpRequestException(r.Message) : e, false) is { } wait)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task UploadMonolithicAsync(Uri location, string repository, Digest digest, long size, Func<CancellationToken, Task<Stream>> open, IReadOnlyList<RegistryScope> scopes, CancellationToken cancellationToken)
    {
        var target = WithQuery(location, "digest=" + Uri.EscapeDataString(digest.ToString()));
        // The body is opened once per request: an auth round-trip or a retry sends it again from the start.
        var streams = new List<Stream>();
        try
        {
            using var response = await SendAsync(async ct =>
            {
                var stream = await open(ct).ConfigureAwait(false);
                streams.Add(stream);
                var content = new StreamContent(stream, 1 << 16);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                content.Headers.ContentLength = size;
                return new HttpRequestMessage(HttpMethod.Put, target) { Content = content };
            }, scopes, null, retryResponses: false, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Created && !response.IsSuccessStatusCode)
                throw await ErrorAsync(response, $"uploading blob {digest.Short} to {repository}", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var s in streams) await s.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task UploadChunkedAsync(Uri location, string repository, Digest digest, long size, Func<CancellationToken, Task<Stream>> open, IReadOnlyList<RegistryScope> scopes, CancellationToken cancellationToken)
    {
        await using var source = await open(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[_options.ChunkSize];
        long offset = 0;
        while (offset < size)
        {
            int filled = 0;
            while (filled < buffer.Length)
            {
                int read = await source.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                filled += read;
            }
            if (filled == 0) throw new IOException($"blob {digest.Short} ended after {offset} of {size} bytes while uploading");
            long start = offset;
            var chunk = buffer.AsMemory(0, filled);
            var current = location;
            using var response = await SendAsync(() =>
            {
                var content = new ReadOnlyMemoryContent(chunk);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                content.Headers.ContentLength = chunk.Length;
                content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + chunk.Length - 1}");
                return new HttpRequestMessage(HttpMethod.Patch, current) { Content = content };
            }, scopes, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                throw new RegistryException($"uploading blob {digest.Short} to {repository}: the registry rejected the chunk at {start} (416)", response.StatusCode, transient: true);
            if (response.StatusCode != HttpStatusCode.Accepted)
                throw await ErrorAsync(response, $"uploading a chunk of blob {digest.Short} to {repository}", cancellationToken).ConfigureAwait(false);
            location = LocationOf(response);
            offset = start + filled;
            // The registry says how much it holds (Range: 0-LAST); it must be all we sent.
            if (response.Headers.TryGetValues("Range", out var ranges) && ParseRangeEnd(ranges.FirstOrDefault()) is { } last && last + 1 != offset)
                throw new RegistryException($"uploading blob {digest.Short} to {repository}: the registry holds {last + 1} bytes, {offset} were sent", response.StatusCode, transient: true);
        }
        var target = WithQuery(location, "digest=" + Uri.EscapeDataString(digest.ToString()));
        using var done = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, target) { Content = new ByteArrayContent([]) }, scopes, cancellationToken).ConfigureAwait(false);
        if (done.StatusCode != HttpStatusCode.Created && !done.IsSuccessStatusCode)
            throw await ErrorAsync(done, $"finishing the upload of blob {digest.Short} to {repository}", cancellationToken).ConfigureAwait(false);
    }

    internal static long? ParseRangeEnd(string? range)
    {
        if (range is null) return null;
        var value = range.StartsWith("bytes=", StringComparison.Ordinal) ? range[6..] : range;
        int dash = value.IndexOf('-');
        return dash >= 0 && long.TryParse(value.AsSpan(dash + 1), out var end) ? end : null;
    }
}

internal enum UploadResult
{
    Exists,
    Mounted,
    Uploaded,
}
