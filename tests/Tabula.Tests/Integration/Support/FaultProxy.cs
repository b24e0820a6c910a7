using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tabula.Tests.Integration.Support;

/// <summary>What <see cref="FaultProxy"/> does to one request.</summary>
public enum Fault
{
    /// <summary>Pass the request and its answer through.</summary>
    None,
    /// <summary>Take the connection, read, send nothing ever (also to a TLS hello).</summary>
    Silent,
    /// <summary>Send the answer's head one byte at a time, a byte per <see cref="FaultProxy.DripInterval"/>.</summary>
    DripHead,
    /// <summary>Send the head, then the body one byte per <see cref="FaultProxy.DripInterval"/>.</summary>
    DripBody,
    /// <summary>Send the head and <see cref="FaultProxy.BodyBytesBeforeFault"/> body bytes, then nothing, keeping the connection open.</summary>
    StallMidBody,
    /// <summary>Send the head and <see cref="FaultProxy.BodyBytesBeforeFault"/> body bytes, then reset the connection.</summary>
    ResetMidBody,
    /// <summary>Read the request, then reset the connection without answering.</summary>
    ResetBeforeHead,
    /// <summary>Answer 500 without asking the registry.</summary>
    Status500,
    /// <summary>Read the whole request, body included, and never answer (an upload PUT nobody acknowledges).</summary>
    NeverAnswer,
    /// <summary>Send the head and <see cref="FaultProxy.BodyBytesBeforeFault"/> body bytes, then close the connection cleanly (short body).</summary>
    CloseMidBody,
    /// <summary>Pass the answer through with one body byte changed (at <see cref="FaultProxy.BodyBytesBeforeFault"/>).</summary>
    CorruptBody,
    /// <summary>Pass the answer through with a Content-Length 100 bytes larger than the body.</summary>
    LongerContentLength,
    /// <summary>Pass the request on without its Range header, as a registry that ignores ranges answers (200, the whole blob).</summary>
    IgnoreRange,
    /// <summary>Answer 503 without asking the registry.</summary>
    Status503,
    /// <summary>Answer 429 with <c>Retry-After: 1</c> without asking the registry.</summary>
    Status429,
}

/// <summary>
/// A fault-injecting HTTP/1.1 proxy on 127.0.0.1 in front of a real registry: each request goes upstream on a
/// connection of its own (with <c>Connection: close</c>), and <see cref="Policy"/> picks what to do to it. A TLS hello
/// gets what Go's server answers plain HTTP clients speaking TLS (400), so clients fall back to HTTP as with the
/// registry itself. Only loopback: nothing leaves the machine.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;

    public FaultProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    public string Host => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Picks the fault for a request from its method and path; pass-through by default.</summary>
    public Func<string, string, Fault> Policy { get; set; } = (_, _) => Fault.None;

    public TimeSpan DripInterval { get; set; } = TimeSpan.FromMilliseconds(200);
    public int BodyBytesBeforeFault { get; set; } = 1000;

    /// <summary>Every fault applied, as "METHOD PATH FAULT" (for messages when a test fails).</summary>
    public List<string> Applied { get; } = [];

    /// <summary>Every request, as "METHOD PATH" followed by " Range: VALUE" when it asked for a range.</summary>
    public List<string> Requests { get; } = [];

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            lock (_connections) _connections.Add(Task.Run(() => HandleAsync(client)));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        var token = _stop.Token;
        using var connection = client;
        try
        {
            var downstream = client.GetStream();
            var head = await ReadHeadAsync(downstream, token);
            var fault = Policy(head?.Method ?? "", head?.Path ?? "");
            if (fault == Fault.Silent)
            {
                Record(head, fault);
                await Task.Delay(Timeout.Infinite, token);
            }
            if (head is null)
            {
                // Not HTTP (a TLS hello): say so in HTTP, as the registry would.
                await downstream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"), token);
                return;
            }
            var (method, path, headBytes, rest) = head.Value;
            lock (Requests) Requests.Add($"{method} {path}{RangeOf(headBytes)}");
            if (fault != Fault.None) Record(head, fault);
            var refusal = fault switch
            {
                Fault.Status500 => "500 Internal Server Error\r\n",
                Fault.Status503 => "503 Service Unavailable\r\n",
                Fault.Status429 => "429 Too Many Requests\r\nRetry-After: 1\r\n",
                _ => null,
            };
            if (refusal is not null)
            {
                await downstream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {refusal}Content-Length: 0\r\nConnection: close\r\n\r\n"), token);
                return;
            }
            if (fault == Fault.ResetBeforeHead)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Client.Close();
                return;
            }
            if (fault == Fault.NeverAnswer)
            {
                var sink = new byte[64 << 10];
                while (await downstream.ReadAsync(sink, token) > 0) { }
                await Task.Delay(Timeout.Infinite, token);
            }
            using var upstreamClient = new TcpClient();
            await upstreamClient.ConnectAsync(IPAddress.Loopback, _upstreamPort, token);
            var upstream = upstreamClient.GetStream();
            await upstream.WriteAsync(CloseAfter(headBytes, dropRange: fault == Fault.IgnoreRange), token);
            await upstream.WriteAsync(rest, token);
            _ = Task.Run(async () =>
            {
                try { await downstream.CopyToAsync(upstream, token); }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException) { }
            }, token);
            await RelayAnswerAsync(upstream, downstream, client, fault, token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private void Record((string Method, string Path, byte[] Head, byte[] Remainder)? head, Fault fault)
    {
        lock (Applied) Applied.Add($"{head?.Method} {head?.Path} {fault}");
    }

    private async Task RelayAnswerAsync(NetworkStream upstream, NetworkStream downstream, TcpClient client, Fault fault, CancellationToken token)
    {
        var buffer = new byte[64 << 10];
        if (fault == Fault.None)
        {
            await upstream.CopyToAsync(downstream, token);
            return;
        }
        long bodySent = 0;
        bool inBody = false;
        var headSoFar = new List<byte>();
        int read;
        while ((read = await upstream.ReadAsync(buffer, token)) > 0)
        {
            for (int i = 0; i < read; i++)
            {
                byte b = buffer[i];
                if (!inBody)
                {
                    headSoFar.Add(b);
                    inBody = EndsWithBlankLine(headSoFar);
                    if (fault == Fault.LongerContentLength)
                    {
                        if (inBody) await downstream.WriteAsync(LengthenContentLength(headSoFar.ToArray()), token);
                        continue;
                    }
                    if (fault == Fault.DripHead) await Task.Delay(DripInterval, token);
                    await downstream.WriteAsync(new[] { b }, token);
                    continue;
                }
                switch (fault)
                {
                    case Fault.DripBody:
                        await Task.Delay(DripInterval, token);
                        break;
                    case Fault.StallMidBody when bodySent >= BodyBytesBeforeFault:
                        await Task.Delay(Timeout.Infinite, token);
                        break;
                    case Fault.ResetMidBody when bodySent >= BodyBytesBeforeFault:
                        client.Client.LingerState = new LingerOption(true, 0);
                        client.Client.Close();
                        return;
                    case Fault.CloseMidBody when bodySent >= BodyBytesBeforeFault:
                        client.Client.Shutdown(SocketShutdown.Send);
                        return;
                    case Fault.CorruptBody when bodySent == BodyBytesBeforeFault:
                        b ^= 0xFF;
                        break;
                }
                await downstream.WriteAsync(new[] { b }, token);
                bodySent++;
            }
        }
    }

    private static string RangeOf(byte[] head)
    {
        var line = Encoding.Latin1.GetString(head).Split("\r\n").FirstOrDefault(l => l.StartsWith("Range:", StringComparison.OrdinalIgnoreCase));
        return line is null ? "" : " " + line.Trim();
    }

    private static byte[] LengthenContentLength(byte[] head)
    {
        var lines = Encoding.Latin1.GetString(head).Split("\r\n").Select(l =>
            l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase) ? $"Content-Length: {long.Parse(l[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture) + 100}" : l);
        return Encoding.Latin1.GetBytes(string.Join("\r\n", lines));
    }

    private static bool EndsWithBlankLine(List<byte> bytes) =>
        bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n';

    /// <summary>The request head with its own Connection header replaced by <c>Connection: close</c> (and without Range when asked).</summary>
    private static byte[] CloseAfter(byte[] head, bool dropRange)
    {
        var lines = Encoding.Latin1.GetString(head).Split("\r\n")
            .Where(l => l.Length > 0 && !l.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase) && !(dropRange && l.StartsWith("Range:", StringComparison.OrdinalIgnoreCase)))
            .ToList();
        lines.Add("Connection: close");
        return Encoding.Latin1.GetBytes(string.Join("\r\n", lines) + "\r\n\r\n");
    }

    /// <summary>Reads up to the end of the request head; null when the first byte is not a letter (not HTTP).</summary>
    private static async Task<(string Method, string Path, byte[] Head, byte[] Remainder)?> ReadHeadAsync(NetworkStream stream, CancellationToken token)
    {
        var data = new List<byte>();
        var buffer = new byte[8192];
        while (true)
        {
            int read = await stream.ReadAsync(buffer, token);
            if (read == 0) throw new IOException("closed before a request");
            data.AddRange(buffer.AsSpan(0, read).ToArray());
            if (!char.IsAsciiLetterUpper((char)data[0])) return null;
            var text = Encoding.Latin1.GetString(data.ToArray());
            int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0) continue;
            var parts = text[..text.IndexOf("\r\n", StringComparison.Ordinal)].Split(' ');
            var head = data.Take(end + 4).ToArray();
            var rest = data.Skip(end + 4).ToArray();
            return (parts[0], parts.Length > 1 ? parts[1] : "/", head, rest);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] open;
        lock (_connections) open = [.. _connections];
        await Task.WhenAll(open);
        _stop.Dispose();
    }
}
