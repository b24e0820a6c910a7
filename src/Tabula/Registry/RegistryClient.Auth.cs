using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Tabula.Registry;

/// <summary>Ping (which scheme, which challenge), credentials and bearer tokens per scope.</summary>
internal sealed partial class RegistryClient
{
    /// <summary><c>GET /v2/</c>: finds the scheme (HTTPS, or HTTP where allowed) and the auth challenge, if any.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        if (_base is not null) return;
        await _pingLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_base is not null) return;
            var schemes = Schemes();
            HttpRequestException? last = null;
            RegistryException? plainRefused = null;
            for (int i = 0; i < schemes.Length; i++)
            {
                var scheme = schemes[i];
                bool more = i + 1 < schemes.Length;
                var candidate = new Uri($"{scheme}://{Host}/");
                try
                {
                    // Plain HTTP first is a probe: a TLS port that drops it is not retried but spoken to in HTTPS at once.
                    using var response = await SendRawAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(candidate, "v2/")), cancellationToken,
                        retryBrokenConnections: !(more && scheme == "http")).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.Unauthorized)
                        _challenge = ChallengeOf(response);
                    else if (!response.IsSuccessStatusCode)
                    {
                        // An HTTPS server answers plain HTTP with 400: when its TLS failed (a certificate), that is the news.
                        // Any other status is the server's own answer (a registry failing with 500 is not a TLS problem).
                        var error = await ErrorAsync(response, $"{Registry} does not answer as a registry (GET /v2/)", cancellationToken).ConfigureAwait(false);
                        if (response.StatusCode != HttpStatusCode.BadRequest || scheme != "http") throw error;
                        if (IsTlsFailure(last)) throw Unreachable(last!);
                        if (!more) throw error;
                        plainRefused = error; // perhaps a TLS port: HTTPS is next
                        continue;
                    }
                    _base = candidate;
                    return;
                }
                catch (HttpRequestException e) when (more)
                {
                    last = e;
                }
                catch (HttpRequestException e)
                {
                    // HTTPS after plain HTTP: a TLS failure is the news when the port refused plain HTTP, else what plain HTTP met.
                    if (plainRefused is not null) throw IsTlsFailure(e) ? Unreachable(e) : plainRefused;
                    if (last is null || scheme == "https") last = e;
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

    /// <summary>
    /// The schemes to try, in order. A loopback registry is tried in plain HTTP first: local registries are nearly always
    /// plain, and a TLS attempt first costs every command a handshake (and OpenSSL's set-up) that fails. The ping carries
    /// no credentials and plain HTTP never leaves the machine; a TLS port answers it with 400 or a closed connection and is
    /// then spoken to in HTTPS, verified as before. A registry given CAs (<c>--cert-dir</c>, <c>certs.d</c>) is meant to
    /// speak TLS and is tried in HTTPS first, as is every other host that may use HTTP (marked insecure: TLS, even
    /// unverified, is worth having across a network).
    /// </summary>
    private string[] Schemes()
    {
        if (!_options.AllowsPlainHttp(Registry)) return ["https"];
        return RegistryOptions.IsLoopback(Registry) && !_hasOwnRoots ? ["http", "https"] : ["https", "http"];
    }

    private static bool IsTlsFailure(Exception? e) => e is HttpRequestException { InnerException: System.Security.Authentication.AuthenticationException };

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
}
