using System.Net;
using System.Security.Cryptography;
using Tabula.Layers;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Build;

/// <summary>What an <c>ADD https://…</c> downloaded: its bytes in a spool, their digest, the file name and the server's Last-Modified.</summary>
internal sealed record DownloadedUrl(string Url, string FileName, SpoolSegment Content, Digest Digest, DateTimeOffset? LastModified);

/// <summary>
/// The HTTP(S) sources of ADD, as BuildKit's http source fetches them: one GET (redirects followed, TLS verified),
/// the file named after the URL path's last element (<c>__unnamed__</c> when it has none), its mtime the
/// Last-Modified header, its digest checked against <c>--checksum</c>. Waits are bounded as registry ones are:
/// the connection and the response head by the timeout, the body by a stall guard that wants progress in every
/// timeout window.
/// </summary>
internal sealed class UrlSource(BuildOptions options, BuildSession session)
{
    private const int MaxRedirects = 10;
    // By URL, failures too: a step that could not key on a URL reports that failure instead of waiting for it again.
    private readonly Dictionary<string, Task<DownloadedUrl>> _downloads = new(StringComparer.Ordinal);

    public static bool IsHttp(string source)
        => (source.StartsWith("http://", StringComparison.Ordinal) || source.StartsWith("https://", StringComparison.Ordinal)) && !IsGit(source);

    /// <summary>A git source as BuildKit recognises the common forms: <c>git@host:…</c>, <c>git://</c>, <c>ssh://</c>, or a URL ending in <c>.git</c> (with a ref).</summary>
    public static bool IsGit(string source)
        => source.StartsWith("git@", StringComparison.Ordinal) || source.StartsWith("git://", StringComparison.Ordinal)
           || source.StartsWith("ssh://", StringComparison.Ordinal)
           || ((source.StartsWith("http://", StringComparison.Ordinal) || source.StartsWith("https://", StringComparison.Ordinal))
               && source.Split('#', 2)[0].Split('?', 2)[0].EndsWith(".git", StringComparison.Ordinal));

    /// <summary>An <c>ADD --checksum</c> value, with the errors BuildKit's digest parsing gives.</summary>
    public static Digest ParseChecksum(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) throw new FormatException($"invalid checksum digest format: '{text}' (give sha256:HEX)");
        if (text[..colon] != "sha256") throw new FormatException($"unsupported digest algorithm: '{text[..colon]}' (give sha256:HEX)");
        return Digest.TryParse(text, out var digest) ? digest : throw new FormatException($"invalid checksum digest format: '{text}' (give sha256: and 64 hex digits)");
    }

    /// <summary>BuildKit's name for a URL's file: the last element of its path, or <c>__unnamed__</c>.</summary>
    public static string FileName(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "__unnamed__";
        var path = Uri.UnescapeDataString(uri.AbsolutePath).TrimEnd('/');
        var name = path[(path.LastIndexOf('/') + 1)..];
        return name.Length == 0 || name == "." ? "__unnamed__" : name;
    }

    /// <summary>Downloads the URL once per stage (a step's key and its copy, and later steps, share it); a --checksum mismatch is an error.</summary>
    public async Task<DownloadedUrl> GetAsync(string url, Digest? checksum, CancellationToken cancellationToken)
    {
        if (!_downloads.TryGetValue(url, out var download))
            _downloads[url] = download = DownloadAsync(url, cancellationToken);
        var downloaded = await download.ConfigureAwait(false);
        if (checksum is { } expected && expected != downloaded.Digest)
            throw new InvalidDataException($"digest mismatch {expected}: {downloaded.Digest} (the --checksum does not match what {url} served)");
        return downloaded;
    }

    private async Task<DownloadedUrl> DownloadAsync(string url, CancellationToken cancellationToken)
    {
        var timeout = options.Registry?.Timeout ?? RegistryOptions.DefaultTimeout;
        var connect = options.Registry?.ConnectTimeout ?? TimeSpan.FromSeconds(30);
        using var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connect < timeout ? connect : timeout,
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = MaxRedirects,
            AutomaticDecompression = DecompressionMethods.None,
        };
        using var client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.UserAgent.ParseAdd(options.Registry?.UserAgent ?? "tabula");
        HttpResponseMessage response;
        using (var head = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            head.CancelAfter(timeout);
            try
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, head.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"GET {url}: no response within {timeout.TotalSeconds:0.#}s (--timeout)");
            }
            catch (HttpRequestException e)
            {
                throw new IOException($"GET {url}: {e.Message}", e);
            }
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw new IOException($"GET {url}: {(int)response.StatusCode} {response.ReasonPhrase}");
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var guard = new ReadStallGuard(timeout);
            var spool = session.NewSpool();
            var segment = await spool.AppendToEndAsync(async buffer =>
            {
                int read = await guard.ReadAsync(body, buffer, () => new IOException($"GET {url}: the body stalled for {timeout.TotalSeconds:0.#}s (--timeout)"), cancellationToken).ConfigureAwait(false);
                sha.AppendData(buffer.Span[..read]);
                return read;
            }, cancellationToken).ConfigureAwait(false);
            if (response.Content.Headers.ContentLength is { } expected && expected != segment.Length)
                throw new IOException($"GET {url}: the body ended after {segment.Length} of {expected} bytes");
            var lastModified = response.Content.Headers.LastModified;
            return new DownloadedUrl(url, FileName(url), segment, Digest.FromSha256Hash(sha.GetHashAndReset()), lastModified);
        }
    }
}
