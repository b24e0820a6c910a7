using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace Tabula.Transports;

/// <summary>
/// The docker daemon's image API over its unix socket: <c>GET /images/get</c> (a docker archive of an image) and
/// <c>POST /images/load</c>. Used by the <c>docker-daemon:</c> transport; no docker CLI needed.
/// </summary>
internal sealed class DockerDaemon : IDisposable
{
    public const string DefaultSocket = "/var/run/docker.sock";
    private readonly HttpClient _http;

    public DockerDaemon(string? socketPath = null)
    {
        SocketPath = socketPath ?? DefaultSocket;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://docker/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public string SocketPath { get; }

    /// <summary>The socket of <c>DOCKER_HOST=unix://…</c>, else the default.</summary>
    public static string? SocketFromEnvironment(Func<string, string?> environment)
        => environment("DOCKER_HOST") is { } host && host.StartsWith("unix://", StringComparison.Ordinal) ? host[7..] : null;

    /// <summary>Writes <c>docker save NAME</c>'s archive to <paramref name="path"/>.</summary>
    public async Task SaveAsync(string name, string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"images/get?names={Uri.EscapeDataString(name)}"), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) throw new Content.ImageNotFoundException(name, " of the docker daemon");
        await EnsureAsync(response, $"docker-daemon: saving {name}", cancellationToken).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await body.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>docker load</c> of an archive file.</summary>
    public async Task LoadAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        var content = new StreamContent(file, 1 << 16);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, "images/load?quiet=1") { Content = content }, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, "docker-daemon: loading", cancellationToken).ConfigureAwait(false);
        // The answer is a stream of JSON messages; an error is one of them.
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error))
                    throw new IOException($"docker-daemon: loading failed: {error.GetString()}");
            }
            catch (JsonException)
            {
                // Only the JSON messages can carry an error; the daemon also streams plain progress text, which is
                // not ours to judge. A failed load with no JSON error still fails by its status (EnsureAsync above).
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new IOException($"docker-daemon: cannot reach the docker daemon at {SocketPath}: {e.Message}", e);
        }
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string message = body;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("message", out var m)) message = m.GetString() ?? body;
        }
        catch (JsonException)
        {
            // An error body that is not docker's {"message": …} (a proxy's page, plain text) is reported as it is.
        }
        throw new IOException($"{what}: {(int)response.StatusCode} {message.Trim()}");
    }

    public void Dispose() => _http.Dispose();
}
