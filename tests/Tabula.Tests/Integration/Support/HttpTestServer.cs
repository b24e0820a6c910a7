using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tabula.Tests.Integration.Support;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 for ADD of a URL (BuildKit's httpserver.TestServer): fixed responses by path,
/// with ETag and Last-Modified when given, one request per connection, every request recorded.
/// </summary>
internal sealed class HttpTestServer : IDisposable
{
    public sealed record Response(byte[] Content, DateTimeOffset? LastModified = null, string? ETag = null, int Status = 200);

    public sealed record Request(string Method, string Path, IReadOnlyDictionary<string, string> Headers);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly IReadOnlyDictionary<string, Response> _responses;

    public HttpTestServer(IReadOnlyDictionary<string, Response> responses)
    {
        _responses = responses;
        _listener.Start();
        _ = ServeAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public ConcurrentQueue<Request> Requests { get; } = new();

    public IReadOnlyList<Request> RequestsFor(string path) => Requests.Where(r => r.Path == path).ToList();

    private async Task ServeAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = AnswerAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
                var requestLine = await reader.ReadLineAsync(_stop.Token);
                if (string.IsNullOrEmpty(requestLine)) return;
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                string? line;
                while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync(_stop.Token)))
                {
                    int colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }
                var parts = requestLine.Split(' ');
                var request = new Request(parts[0], parts[1], headers);
                Requests.Enqueue(request);
                var response = _responses.GetValueOrDefault(request.Path) ?? new Response("not found"u8.ToArray(), Status: 404);
                var head = new StringBuilder()
                    .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {response.Status} {(response.Status == 200 ? "OK" : "Not Found")}\r\n")
                    .Append(CultureInfo.InvariantCulture, $"Content-Length: {response.Content.Length}\r\n")
                    .Append("Connection: close\r\n");
                if (response.ETag is { } etag) head.Append(CultureInfo.InvariantCulture, $"ETag: \"{etag}\"\r\n");
                if (response.LastModified is { } modified) head.Append(CultureInfo.InvariantCulture, $"Last-Modified: {modified.UtcDateTime.ToString("R", CultureInfo.InvariantCulture)}\r\n");
                head.Append("\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stop.Token);
                if (request.Method != "HEAD") await stream.WriteAsync(response.Content, _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // the client went away
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
