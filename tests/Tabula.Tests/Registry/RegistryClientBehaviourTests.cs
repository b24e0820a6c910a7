using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Tests.Registry;

/// <summary>The client's retry and auth decisions against a scripted server (no network, no timing assertions).</summary>
public class RegistryClientBehaviourTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Retries with waits of a few milliseconds.</summary>
    internal static readonly RegistryOptions Fast = new()
    {
        Retry = new RetryPolicy { MaxAttempts = 4, InitialDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
    };

    /// <summary>Answers each request with the next scripted response for its path; records what it was asked.</summary>
    private sealed class ScriptedServer(Func<HttpRequestMessage, int, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<(string Method, string Path, string? Authorization)> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            int count;
            lock (Requests)
            {
                Requests.Add((request.Method.Method, request.RequestUri!.PathAndQuery, request.Headers.Authorization?.ToString()));
                count = Requests.Count(r => r.Path == request.RequestUri!.PathAndQuery);
            }
            return Task.FromResult(answer(request, count));
        }
    }

    private static HttpResponseMessage Status(HttpStatusCode status, string body = "") => new(status) { Content = new StringContent(body) };

    private static readonly byte[] Manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciManifest + "\",\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:" + new string('a', 64) + "\",\"size\":1},\"layers\":[]}");

    private static HttpResponseMessage ManifestResponse()
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Manifest) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
        return response;
    }

    [Fact]
    public async Task ServerErrorsAndThrottlingAreRetriedThenSucceed()
    {
        var server = new ScriptedServer((request, n) => request.RequestUri!.AbsolutePath switch
        {
            "/v2/" => Status(HttpStatusCode.OK),
            _ when n == 1 => Status(HttpStatusCode.ServiceUnavailable),
            _ when n == 2 => new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero) } },
            _ when n == 3 => throw new HttpRequestException("reset", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))),
            _ => ManifestResponse(),
        });
        using var client = new RegistryClient("registry.test", Fast, server);
        var manifest = await client.GetManifestAsync("a/b", "1", Token);
        Assert.Equal(Manifest, manifest.Bytes);
        Assert.Equal(4, server.Requests.Count(r => r.Path == "/v2/a/b/manifests/1"));
    }

    [Fact]
    public async Task RetriesStopAtTheBoundWithATransientError()
    {
        var server = new ScriptedServer((request, _) => request.RequestUri!.AbsolutePath == "/v2/" ? Status(HttpStatusCode.OK) : Status(HttpStatusCode.BadGateway));
        using var client = new RegistryClient("registry.test", Fast, server);
        var e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync("a/b", "1", Token));
        Assert.Equal(HttpStatusCode.BadGateway, e.Status);
        Assert.True(e.IsTransient);
        Assert.Equal(4, server.Requests.Count(r => r.Path == "/v2/a/b/manifests/1"));
    }

    [Fact]
    public async Task ClientErrorsAreNotRetried()
    {
        var server = new ScriptedServer((request, _) => request.RequestUri!.AbsolutePath == "/v2/"
            ? Status(HttpStatusCode.OK)
            : Status(HttpStatusCode.NotFound, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}"));
        using var client = new RegistryClient("registry.test", Fast, server);
        var e = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync("a/b", "1", Token));
        Assert.True(e.HasCode("MANIFEST_UNKNOWN"));
        Assert.Single(server.Requests, r => r.Path == "/v2/a/b/manifests/1");
    }

    [Fact]
    public async Task ManifestBytesThatDoNotMatchTheAskedDigestAreRefused()
    {
        var server = new ScriptedServer((request, _) => request.RequestUri!.AbsolutePath == "/v2/" ? Status(HttpStatusCode.OK) : ManifestResponse());
        using var client = new RegistryClient("registry.test", Fast, server);
        await Assert.ThrowsAsync<RegistryContentException>(() => client.GetManifestAsync("a/b", "sha256:" + new string('b', 64), Token));
    }

    [Fact]
    public async Task BearerTokensAreFetchedPerScopeCachedAndNeverShown()
    {
        const string secret = "Very-Secret-Pa55";
        int tokens = 0;
        var server = new ScriptedServer((request, _) =>
        {
            var path = request.RequestUri!.AbsolutePath;
            if (path == "/token")
            {
                Interlocked.Increment(ref tokens);
                return Status(HttpStatusCode.OK, $"{{\"token\":\"tok-{tokens}\",\"expires_in\":300}}");
            }
            if (request.Headers.Authorization?.Scheme != "Bearer")
            {
                var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized);
                challenge.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", "realm=\"https://auth.test/token\",service=\"registry.test\""));
                return challenge;
            }
            return path.Contains("/manifests/") ? ManifestResponse() : Status(HttpStatusCode.NotFound);
        });
        var credential = new RegistryCredential("user", secret);
        using var client = new RegistryClient("registry.test", Fast with { Credentials = new StaticCredentialSource(credential) }, server);
        await client.GetManifestAsync("a/b", "1", Token);
        await client.GetManifestAsync("a/b", "2", Token);
        Assert.Null(await client.BlobSizeAsync("a/b", Digest.Compute([1]), Token));
        Assert.Equal(1, tokens);
        var tokenRequest = Assert.Single(server.Requests, r => r.Path.StartsWith("/token", StringComparison.Ordinal));
        Assert.Contains("scope=repository%3Aa%2Fb%3Apull", tokenRequest.Path);
        Assert.Equal("Basic " + credential.BasicHeaderValue, tokenRequest.Authorization);

        // Another repository needs another token.
        await client.GetManifestAsync("c/d", "1", Token);
        Assert.Equal(2, tokens);
    }

    [Fact]
    public async Task RefusedCredentialsGiveAnAuthErrorWithoutTheSecret()
    {
        const string secret = "Another-Secret-Pa55";
        var server = new ScriptedServer((request, _) =>
        {
            if (request.RequestUri!.AbsolutePath == "/token") return Status(HttpStatusCode.Unauthorized, $"bad credentials {secret}");
            var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            challenge.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", "realm=\"https://auth.test/token\",service=\"registry.test\""));
            return challenge;
        });
        using var client = new RegistryClient("registry.test", Fast with { Credentials = new StaticCredentialSource(new RegistryCredential("user", secret)) }, server);
        var e = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => client.GetManifestAsync("a/b", "1", Token));
        Assert.Contains("refused the credentials for user 'user'", e.Message);
        Assert.DoesNotContain(secret, e.ToString());
    }
}
