using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Tabula.Oci;

namespace Tabula.Registry;

/// <summary>
/// A session with one registry (distribution spec 1.1): ping, blobs, manifests, uploads, tags. One
/// <see cref="HttpClient"/> per session; bearer tokens are cached per scope and renewed before they expire;
/// transient failures are retried with bounded backoff. Plain HTTP only for loopback hosts or hosts marked insecure.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    public static readonly string[] ManifestAccept =
        [MediaTypes.OciManifest, MediaTypes.OciIndex, MediaTypes.DockerManifest, MediaTypes.DockerManifestList];

    private const int MaxManifestBytes = 4 << 20;
    private readonly HttpClient _http;
    private readonly RegistryOptions _options;
    private readonly SemaphoreSlim _pingLock = new(1, 1);
    private readonly Dictionary<string, (string Token, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private Uri? _base;
    private AuthChallenge? _challenge;
    private RegistryCredential? _credential;
    private bool _credentialLoaded;

    public RegistryClient(string registry, RegistryOptions? options = null)
        : this(registry, options ?? new RegistryOptions(), null)
    {
    }

    /// <summary>With a given handler (tests speak to a fake server through it).</summary>
    internal RegistryClient(string registry, RegistryOptions options, HttpMessageHandler? testHandler)
    {
        Registry = registry;
        _options = options;
        Host = registry is "docker.io" or "index.docker.io" ? "registry-1.docker.io" : registry;
        if (testHandler is not null)
        {
            _http = new HttpClient(testHandler) { Timeout = Timeout.InfiniteTimeSpan };
            return;
        }
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = Min(_options.ConnectTimeout, _options.Timeout),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 16,
        };
        ConfigureTls(handler);
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(_options.UserAgent);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => b == Timeout.InfiniteTimeSpan || a <= b && a != Timeout.InfiniteTimeSpan ? a : b;

    /// <summary>The registry as references name it (e.g. <c>docker.io</c>, <c>127.0.0.1:5000</c>).</summary>
    public string Registry { get; }

    /// <summary>The host actually spoken to (<c>registry-1.docker.io</c> for Docker Hub).</summary>
    public string Host { get; }

    /// <summary>The base URL once <see cref="PingAsync"/> ran (<c>https://host/</c> or, where allowed, <c>http://host/</c>).</summary>
    public Uri? BaseUri => _base;

    public void Dispose()
    {
        _http.Dispose();
        _pingLock.Dispose();
        _tokenLock.Dispose();
    }

    // ---------------------------------------------------------------- ping and auth

    /// <summary><c>GET /v2/</c>: finds the scheme (HTTPS, or HTTP where allowed) and the auth challenge, if any.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        if (_base is not null) return;
        await _pingLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_base is not null) return;
            var schemes = _options.AllowsPlainHttp(Registry) ? new[] { "https", "http" } : ["https"];
            Exception? last = null;
            foreach (var scheme in schemes)
            {
                var candidate = new Uri($"{scheme}://{Host}/");
                try
                {
                    using var response = await SendRawAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(candidate, "v2/")), cancellationToken).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.Unauthorized)
                        _challenge = ChallengeOf(response);
                    else if (!response.IsSuccessStatusCode)
                    {
                        // An HTTPS server whose certificate failed answers plain HTTP with 400: the TLS failure is the news.
                        // Any other status is the server's own answer (a registry failing with 500 is not a TLS problem).
                        if (response.StatusCode == HttpStatusCode.BadRequest && last is HttpRequestException { InnerException: System.Security.Authentication.AuthenticationException })
                            throw Unreachable(last);
                        throw await ErrorAsync(response, $"{Registry} does not answer as a registry (GET /v2/)", cancellationToken).ConfigureAwait(false);
                    }
                    _base = candidate;
                    return;
                }
                catch (HttpRequestException e) when (scheme == "https" && schemes.Length > 1)
                {
                    last = e;
                }
                catch (HttpRequestException e)
                {
                    if (last is null) last = e;
                    break;
                }
            }
            throw Unreachable(last!);
        }
        finally
        {
            _pingLock.Release();
        }
    }

    /// <summary>Checks that the registry accepts the credential (for <c>login</c>): a token without scope, or /v2/ with Basic.</summary>
    public async Task VerifyCredentialAsync(CancellationToken cancellationToken)
    {
        await PingAsync(cancellationToken).ConfigureAwait(false);
        if (_challenge is null) return;
        if (_challenge.IsBearer)
        {
            await FetchTokenAsync([], null, cancellationToken).ConfigureAwait(false);
            return;
        }
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Url("v2/")), [], cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, $"login to {Registry}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the registry asks for authentication at all (known after <see cref="PingAsync"/>).</summary>
    public bool RequiresAuthentication => _challenge is not null;

    private static AuthChallenge? ChallengeOf(HttpResponseMessage response)
    {
        foreach (var header in response.Headers.WwwAuthenticate)
        {
            var text = header.Parameter is null ? header.Scheme : $"{header.Scheme} {header.Parameter}";
            if (AuthChallenge.Parse(text) is { } challenge) return challenge;
        }
        return null;
    }

    private async Task<RegistryCredential?> CredentialAsync(CancellationToken cancellationToken)
    {
        if (_credentialLoaded) return _credential;
        _credential = _options.Credentials is { } source ? await source.GetAsync(Registry, cancellationToken).ConfigureAwait(false) : null;
        _credentialLoaded = true;
        return _credential;
    }

    private async Task AuthorizeAsync(HttpRequestMessage request, IReadOnlyList<RegistryScope> scopes, string? extraScope, CancellationToken cancellationToken)
    {
        if (_challenge is null) return;
        if (_challenge.IsBasic)
        {
            if (await CredentialAsync(cancellationToken).ConfigureAwait(false) is { } credential)
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credential.BasicHeaderValue);
            return;
        }
        if (_challenge.IsBearer)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(scopes, extraScope, cancellationToken).ConfigureAwait(false));
    }

    private async Task<string> TokenAsync(IReadOnlyList<RegistryScope> scopes, string? extraScope, CancellationToken cancellationToken)
    {
        var key = RegistryScope.Key(scopes) + (extraScope is null ? "" : " " + extraScope);
        await _tokenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_tokens.TryGetValue(key, out var cached) && cached.Expires > DateTimeOffset.UtcNow.AddSeconds(10)) return cached.Token;
            var fresh = await FetchTokenAsync(scopes, extraScope, cancellationToken).ConfigureAwait(false);
            _tokens[key] = fresh;
            return fresh.Token;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    /// <summary>The token endpoint of the bearer challenge: anonymous, with Basic credentials, or with an identity (refresh) token.</summary>
    private async Task<(string Token, DateTimeOffset Expires)> FetchTokenAsync(IReadOnlyList<RegistryScope> scopes, string? extraScope, CancellationToken cancellationToken)
    {
        var challenge = _challenge!;
        if (challenge.Realm is not { Length: > 0 } realm || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
            throw new RegistryAuthenticationException($"{Registry} sent a bearer challenge without a usable realm");
        if (realmUri.Scheme != Uri.UriSchemeHttps && !_options.AllowsPlainHttp(realmUri.Authority) && !_options.AllowsPlainHttp(Registry))
            throw new RegistryAuthenticationException($"{Registry} asks for tokens from {realmUri.GetLeftPart(UriPartial.Path)} over plain HTTP; refusing to send credentials there");
        var allScopes = scopes.Select(s => s.ToString()).Concat(extraScope is null ? [] : [extraScope]).Distinct().ToList();
        var credential = await CredentialAsync(cancellationToken).ConfigureAwait(false);
        var what = $"authentication to {Registry}";
        using var response = await SendRawAsync(() =>
        {
            HttpRequestMessage request;
            if (credential is { IsIdentityToken: true })
            {
                var form = new List<KeyValuePair<string, string>>
                {
                    new("grant_type", "refresh_token"), new("refresh_token", credential.Secret), new("client_id", "tabula"),
                };
                if (challenge.Service is { } service) form.Add(new("service", service));
                if (allScopes.Count > 0) form.Add(new("scope", string.Join(' ', allScopes)));
                request = new HttpRequestMessage(HttpMethod.Post, realmUri) { Content = new FormUrlEncodedContent(form) };
            }
            else
            {
                var query = new StringBuilder();
                if (challenge.Service is { } service) query.Append("service=").Append(Uri.EscapeDataString(service));
                foreach (var scope in allScopes) query.Append(query.Length > 0 ? "&" : "").Append("scope=").Append(Uri.EscapeDataString(scope));
                var builder = new UriBuilder(realmUri);
                builder.Query = builder.Query.Length > 1 ? builder.Query[1..] + "&" + query : query.ToString();
                request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
                if (credential is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credential.BasicHeaderValue);
            }
            return request;
        }, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw new RegistryAuthenticationException(credential is null
                ? $"{what} failed: the registry requires credentials; log in with 'tabula login {Registry}'"
                : $"{what} failed: the registry refused the credentials for user '{credential.Username}' ({(int)response.StatusCode}); check them with 'tabula login {Registry}'", response.StatusCode);
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, what, cancellationToken).ConfigureAwait(false);
        var body = await ReadLimitedAsync(response, 1 << 20, cancellationToken).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            string? token = root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                : root.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            if (string.IsNullOrEmpty(token)) throw new RegistryAuthenticationException($"{what}: the token server answered without a token");
            int expiresIn = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) && seconds > 0 ? seconds : 60;
            var issued = root.TryGetProperty("issued_at", out var i) && i.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(i.GetString(), out var at) ? at : DateTimeOffset.UtcNow;
            if (issued > DateTimeOffset.UtcNow) issued = DateTimeOffset.UtcNow;
            return (token, issued.AddSeconds(expiresIn));
        }
        catch (JsonException)
        {
            throw new RegistryAuthenticationException($"{what}: the token server's answer is not JSON");
        }
    }

    // ---------------------------------------------------------------- blobs

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
        var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Url($"v2/{repository}/blobs/{digest}")), [RegistryScope.Pull(repository)], cancellationToken).ConfigureAwait(false);
        try
        {
            if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, $"fetching blob {digest.Short} from {repository}", cancellationToken).ConfigureAwait(false);
            var what = $"blob {digest.Short} from {Registry}/{repository}";
            if (size is { } s && response.Content.Headers.ContentLength is { } length && length != s)
                throw new RegistryContentException($"{what}: the registry announces {length} bytes instead of {s}; nothing was stored");
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new BlobReadStream(response, body, digest, size, what, hashDigest, new ReadStallGuard(_options.Timeout));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

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

    // ---------------------------------------------------------------- manifests and tags

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
    {
        var digest = Digest.Compute(bytes.Span);
        using var response = await SendAsync(() =>
        {
            var content = new ReadOnlyMemoryContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpRequestMessage(HttpMethod.Put, Url($"v2/{repository}/manifests/{reference}")) { Content = content };
        }, [RegistryScope.PullPush(repository)], cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ErrorAsync(response, $"pushing manifest {Registry}/{repository}:{reference}", cancellationToken).ConfigureAwait(false);
        return digest;
    }

    /// <summary>All tags of a repository, following <c>Link</c> pagination.</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken, int pageSize = 0)
    {
        var tags = new List<string>();
        string? next = $"v2/{repository}/tags/list" + (pageSize > 0 ? $"?n={pageSize}" : "");
        while (next is not null)
        {
            var url = Url(next);
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), [RegistryScope.Pull(repository)], cancellationToken).ConfigureAwait(false);
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

    // ---------------------------------------------------------------- plumbing

    private Uri Url(string relative) => Uri.TryCreate(relative, UriKind.Absolute, out var absolute) && absolute.Scheme.StartsWith("http", StringComparison.Ordinal)
        ? absolute
        : new Uri(_base ?? throw new InvalidOperationException("ping the registry first"), relative);

    private Uri LocationOf(HttpResponseMessage response)
    {
        var location = response.Headers.Location ?? throw new RegistryException($"{Registry} answered an upload without a Location header", response.StatusCode);
        return location.IsAbsoluteUri ? location : new Uri(_base!, location);
    }

    private static Uri WithQuery(Uri uri, string query)
    {
        var builder = new UriBuilder(uri);
        builder.Query = builder.Query.Length > 1 ? builder.Query[1..] + "&" + query : query;
        return builder.Uri;
    }

    private Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, IReadOnlyList<RegistryScope> scopes, CancellationToken cancellationToken)
        => SendAsync(_ => Task.FromResult(make()), scopes, null, retryResponses: true, cancellationToken);

    /// <summary>Sends with auth (answering one 401 with a fresh challenge) and retries of transient failures.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<CancellationToken, Task<HttpRequestMessage>> make, IReadOnlyList<RegistryScope> scopes, string? extraScope, bool retryResponses, CancellationToken cancellationToken)
    {
        await PingAsync(cancellationToken).ConfigureAwait(false);
        bool reauthenticated = false;
        for (int attempt = 1; ; attempt++)
        {
            using var request = await make(cancellationToken).ConfigureAwait(false);
            await AuthorizeAsync(request, scopes, extraScope, cancellationToken).ConfigureAwait(false);
            HttpResponseMessage response;
            try
            {
                response = await SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && _options.Retry.AfterException(attempt, e, false) is { } wait)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw Unreachable(e);
            }
            if (response.StatusCode == HttpStatusCode.Unauthorized && !reauthenticated && ChallengeOf(response) is { } challenge)
            {
                // The first request of a session, an expired token, or a scope the token lacks: take the new challenge.
                reauthenticated = true;
                bool hadAuth = request.Headers.Authorization is not null;
                _challenge = challenge;
                if (challenge.IsBearer && challenge.Scope is { } scope && !scopes.Any(s => s.ToString() == scope)) extraScope = scope;
                await _tokenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try { _tokens.Clear(); } finally { _tokenLock.Release(); }
                if (challenge.IsBasic && hadAuth) return response; // the credentials were refused
                response.Dispose();
                attempt--;
                continue;
            }
            if (retryResponses && _options.Retry.AfterResponse(attempt, response.StatusCode, RetryPolicy.RetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow)) is { } delay)
            {
                response.Dispose();
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                continue;
            }
            return response;
        }
    }

    /// <summary>One request with retries but no auth (pings and token requests).</summary>
    private async Task<HttpResponseMessage> SendRawAsync(Func<HttpRequestMessage> make, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            using var request = make();
            HttpResponseMessage response;
            try
            {
                response = await SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && _options.Retry.AfterException(attempt, e, false) is { } wait)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (_options.Retry.AfterResponse(attempt, response.StatusCode, RetryPolicy.RetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow)) is { } delay)
            {
                response.Dispose();
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                continue;
            }
            return response;
        }
    }

    /// <summary>
    /// One request under a <see cref="StallWatchdog"/>: a registry that takes the connection and then sends nothing, or
    /// stops reading an upload, fails with a <see cref="RegistryTimeoutException"/> instead of hanging.
    /// </summary>
    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var watchdog = new StallWatchdog(_options.Timeout, cancellationToken);
        if (request.Content is { } content) request.Content = new WatchedContent(content, watchdog);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, watchdog.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RegistryTimeoutException(Redact($"{Registry} did not answer {request.Method} {request.RequestUri?.AbsolutePath} within {Seconds(_options.Timeout)} (stalled); try again, or allow longer with --timeout or TABULA_TIMEOUT"));
        }
    }

    private RegistryTimeoutException BodyStalled(HttpResponseMessage response, long received) =>
        new(Redact($"{Registry} stalled sending the answer to {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: "
                   + $"less than {ReadStallGuard.ProgressBytes / 1024} KiB in {Seconds(_options.Timeout)} after {received} bytes; try again, or allow longer with --timeout or TABULA_TIMEOUT"));

    internal static string Seconds(TimeSpan timeout) => timeout.TotalSeconds >= 1 && timeout.TotalSeconds == Math.Floor(timeout.TotalSeconds)
        ? $"{timeout.TotalSeconds:0}s" : $"{timeout.TotalMilliseconds:0}ms";

    private RegistryException Unreachable(Exception e)
    {
        var reason = e.InnerException is System.Security.Authentication.AuthenticationException tls
            ? $"TLS failed ({tls.Message}); give the registry's CA with --cert-dir, or mark the host with --tls-verify=false if you trust the network"
            : e.Message;
        return new RegistryException(Redact($"cannot reach {Registry}: {reason}"), transient: RetryPolicy.IsTransient(e), inner: e);
    }

    /// <summary>A typed error for a failed response, with the registry's codes and a hint for auth failures.</summary>
    private async Task<RegistryException> ErrorAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        byte[] body = [];
        try { body = await ReadLimitedAsync(response, 64 << 10, cancellationToken).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or HttpRequestException or RegistryException) { }
        var errors = RegistryException.ParseErrors(body);
        var status = response.StatusCode;
        var detail = errors.Count > 0 ? string.Join("; ", errors.Select(e => e.Message.Length > 0 ? $"{e.Code}: {e.Message}" : e.Code)) : response.ReasonPhrase ?? "";
        var message = Redact($"{what}: {(int)status} {detail}".TrimEnd());
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var hint = _credential is null
                ? $"; authentication required: log in with 'tabula login {Registry}'"
                : $"; the credentials for user '{_credential.Username}' were refused or lack access";
            return new RegistryAuthenticationException(message + hint, status, errors);
        }
        return new RegistryException(message, status, errors, RegistryException.IsTransientStatus(status));
    }

    private string Redact(string text) => _credential is { } c ? c.Redact(text) : text;

    private async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is { } length && length > limit)
            throw new RegistryException($"response of {length} bytes is larger than the {limit} allowed", response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = new byte[16 << 10];
        var guard = new ReadStallGuard(_options.Timeout);
        int read;
        while ((read = await guard.ReadAsync(stream, chunk, () => BodyStalled(response, buffer.Length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit) throw new RegistryException($"response is larger than the {limit} bytes allowed", response.StatusCode);
        }
        return buffer.ToArray();
    }

    private void ConfigureTls(SocketsHttpHandler handler)
    {
        bool skipVerify = _options.SkipsTlsVerification(Registry);
        var roots = LoadRoots();
        if (!skipVerify && roots.Count == 0) return;
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                if (skipVerify || errors == SslPolicyErrors.None) return true;
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
                using var custom = new X509Chain();
                custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                custom.ChainPolicy.CustomTrustStore.AddRange(roots);
                if (chain is not null)
                    foreach (var element in chain.ChainElements) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                return custom.Build(new X509Certificate2(certificate));
            },
        };
    }

    /// <summary>CA certificates from the configured folder and docker's/containers' per-host folders.</summary>
    private X509Certificate2Collection LoadRoots()
    {
        var roots = new X509Certificate2Collection();
        var folders = new List<string>();
        if (_options.CertificateDirectory is { } dir) folders.Add(dir);
        // Docker and podman keep per-registry CAs in folders named host[:port].
        folders.Add(Path.Combine("/etc/containers/certs.d", Registry));
        folders.Add(Path.Combine("/etc/docker/certs.d", Registry));
        foreach (var folder in folders.Where(Directory.Exists))
            foreach (var file in Directory.EnumerateFiles(folder, "*.crt"))
            {
                // A CA the user put there and that cannot be read would only show later as a baffling TLS failure: say so now.
                int before = roots.Count;
                string? problem = null;
                try { roots.ImportFromPemFile(file); }
                catch (System.Security.Cryptography.CryptographicException e) { problem = e.Message; }
                if (problem is not null || roots.Count == before)
                    throw new RegistryException($"{file} (a CA certificate for {Registry}) is not a readable PEM certificate{(problem is null ? "" : ": " + problem)}; fix or remove it");
            }
        return roots;
    }
}

public enum UploadResult
{
    Exists,
    Mounted,
    Uploaded,
}
