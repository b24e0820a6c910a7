using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Tabula.Oci;

namespace Tabula.Registry;

/// <summary>
/// A session with one registry (distribution spec 1.1): ping, blobs, manifests, uploads, tags. One
/// <see cref="HttpClient"/> per session; bearer tokens are cached per scope and renewed before they expire;
/// transient failures are retried with bounded backoff. Plain HTTP only for loopback hosts or hosts marked insecure.
/// </summary>
internal sealed partial class RegistryClient : IDisposable
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
    private bool _hasOwnRoots;

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

    // Transport: URLs, sending with auth and retries, timeouts, errors, TLS. Ping and auth, blobs, uploads and
    // manifests are in RegistryClient.*.cs beside this file.


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
                throw Unreachable(e, request);
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

    /// <summary>
    /// One request with retries but no auth (pings and token requests). Without <paramref name="retryBrokenConnections"/>,
    /// a failure to connect or a broken connection is thrown at once (a probe that has another scheme to try).
    /// </summary>
    private async Task<HttpResponseMessage> SendRawAsync(Func<HttpRequestMessage> make, CancellationToken cancellationToken, bool retryBrokenConnections = true)
    {
        for (int attempt = 1; ; attempt++)
        {
            using var request = make();
            HttpResponseMessage response;
            try
            {
                response = await SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (retryBrokenConnections && !cancellationToken.IsCancellationRequested && _options.Retry.AfterException(attempt, e, false) is { } wait)
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

    private RegistryException Unreachable(Exception e, HttpRequestMessage? request = null)
    {
        if (e.InnerException is System.Security.Authentication.AuthenticationException tls)
            return new RegistryException(Redact($"cannot reach {Registry}: TLS failed ({tls.Message}); give the registry's CA with --cert-dir, or mark the host with --tls-verify=false if you trust the network"), transient: false, inner: e);
        // HttpClient's own text ("An error occurred while sending the request") hides what the socket said.
        var cause = e.InnerException is { } inner ? $"{e.Message} ({inner.GetBaseException().Message})" : e.Message;
        if (request is not null && BrokeAfterConnecting(e))
            return new RegistryException(Redact($"{Registry} broke the connection before answering {request.Method} {request.RequestUri?.AbsolutePath}: {cause}; try again"), transient: true, inner: e);
        return new RegistryException(Redact($"cannot reach {Registry}: {cause}"), transient: RetryPolicy.IsTransient(e), inner: e);
    }

    /// <summary>The connection was made and then reset or closed before the answer's headers were read.</summary>
    private static bool BrokeAfterConnecting(Exception e) => e is HttpRequestException
    {
        HttpRequestError: HttpRequestError.ResponseEnded or HttpRequestError.Unknown,
        InnerException: IOException,
    } or HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded };

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
        _hasOwnRoots = roots.Count > 0;
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
