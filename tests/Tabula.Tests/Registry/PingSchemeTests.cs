using System.Net;
using Tabula.Registry;

namespace Tabula.Tests.Registry;

/// <summary>Which scheme the ping tries first and when it moves to the other (scripted server, no network).</summary>
public class PingSchemeTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static RegistryOptions Fast => RegistryClientBehaviourTests.Fast;

    /// <summary>Answers per scheme; records the scheme of every request.</summary>
    private sealed class Server(Func<string, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<string> Schemes { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var scheme = request.RequestUri!.Scheme;
            lock (Schemes) Schemes.Add(scheme);
            return Task.FromResult(answer(scheme));
        }
    }

    private static HttpResponseMessage Ok() => new(HttpStatusCode.OK) { Content = new StringContent("{}") };

    private static HttpResponseMessage BadRequest(string body = "") => new(HttpStatusCode.BadRequest) { Content = new StringContent(body) };

    /// <summary>Pings <paramref name="registry"/> through a server that answers plain HTTP and HTTPS as given.</summary>
    private static async Task<(Server Server, RegistryClient Client, Exception? Error)> PingAsync(string registry, Func<HttpResponseMessage> http, Func<HttpResponseMessage> https, RegistryOptions? options = null)
    {
        var server = new Server(scheme => scheme == "http" ? http() : https());
        var client = new RegistryClient(registry, options ?? Fast, server);
        var error = await Record.ExceptionAsync(() => client.PingAsync(Token));
        return (server, client, error);
    }

    private static HttpRequestException TlsFailed() =>
        new("The SSL connection could not be established", new System.Security.Authentication.AuthenticationException("the remote certificate is invalid"));

    private static HttpRequestException Dropped() =>
        new(HttpRequestError.ResponseEnded, "The response ended prematurely");

    [Theory]
    [InlineData("127.0.0.1:5000")]
    [InlineData("localhost:5000")]
    [InlineData("[::1]:5000")]
    public async Task APlainLoopbackRegistryIsPingedOnceInPlainHttp(string registry)
    {
        var (server, client, error) = await PingAsync(registry, Ok, () => throw TlsFailed());
        using var _ = client;
        Assert.Null(error);
        Assert.Equal(["http"], server.Schemes);
        Assert.Equal("http", client.BaseUri!.Scheme);
    }

    [Fact]
    public async Task ALoopbackTlsPortThatAnswersPlainHttpWith400IsSpokenToInHttps()
    {
        var (server, client, error) = await PingAsync("127.0.0.1:5000", () => BadRequest("Client sent an HTTP request to an HTTPS server."), Ok);
        using var _ = client;
        Assert.Null(error);
        Assert.Equal(["http", "https"], server.Schemes);
        Assert.Equal("https", client.BaseUri!.Scheme);
    }

    [Fact]
    public async Task ALoopbackTlsPortThatDropsPlainHttpIsNotAskedAgainButSpokenToInHttps()
    {
        var (server, client, error) = await PingAsync("127.0.0.1:5000", () => throw Dropped(), Ok);
        using var _ = client;
        Assert.Null(error);
        Assert.Equal(["http", "https"], server.Schemes);
        Assert.Equal("https", client.BaseUri!.Scheme);
    }

    [Fact]
    public async Task ALoopbackTlsPortWhoseCertificateFailsReportsTheTlsFailure()
    {
        var (_, client, error) = await PingAsync("127.0.0.1:5000", () => BadRequest(), () => throw TlsFailed());
        using var _ = client;
        var e = Assert.IsType<RegistryException>(error);
        Assert.Contains("TLS failed", e.Message);
        Assert.Contains("--cert-dir", e.Message);
    }

    [Fact]
    public async Task ALoopbackServerThatAnswers400AndDropsTlsIsReportedAsNotARegistry()
    {
        var (_, client, error) = await PingAsync("127.0.0.1:5000", () => BadRequest(), () => throw Dropped());
        using var _ = client;
        var e = Assert.IsType<RegistryException>(error);
        Assert.Contains("does not answer as a registry", e.Message);
        Assert.DoesNotContain("TLS", e.Message);
    }

    [Fact]
    public async Task AnInsecureRemoteHostIsTriedInHttpsFirst()
    {
        var (server, client, error) = await PingAsync("registry.test:5000", Ok, () => throw TlsFailed(), Fast with { InsecureRegistries = new HashSet<string> { "registry.test:5000" } });
        using var _ = client;
        Assert.Null(error);
        Assert.Equal(["https", "http"], server.Schemes);
        Assert.Equal("http", client.BaseUri!.Scheme);
    }

    [Fact]
    public async Task ARemoteHostIsOnlyEverSpokenToInHttps()
    {
        var (server, client, error) = await PingAsync("registry.test:5000", Ok, () => throw TlsFailed());
        using var _ = client;
        Assert.IsType<RegistryException>(error);
        Assert.Equal(["https"], server.Schemes);
    }
}
