using System.Buffers.Binary;
using System.Net.Sockets;
using Tabula.Layers;

namespace Tabula.Runtime;

/// <summary>
/// A socket one RUN gets in place of the user's SSH agent: a fresh socket with the mode and owner the mount asks for
/// (the user's own socket is never changed or shown to the container), each connection relayed to the agent message by
/// message. As BuildKit's forwarded agent is read-only, only listing keys and signing pass; a request to add, remove or
/// lock keys (or an extension) gets the protocol's failure reply without reaching the agent.
/// </summary>
internal sealed class SshAgentProxy : IAsyncDisposable
{
    // draft-miller-ssh-agent: a message is a big-endian uint32 length, then a type byte and its body.
    private const byte Failure = 5;
    private const byte RequestIdentities = 11;
    private const byte SignRequest = 13;
    private const int MaxMessage = 256 * 1024;
    private static readonly byte[] FailureReply = [0, 0, 0, 1, Failure];

    private readonly Socket _listener;
    private readonly string _agent;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;

    private SshAgentProxy(Socket listener, string agent, string path)
    {
        _listener = listener;
        _agent = agent;
        SocketPath = path;
        _accepting = AcceptAsync();
    }

    /// <summary>Where the socket is on this machine, for the runtime to bind into the container.</summary>
    public string SocketPath { get; }

    /// <summary>Listens at <paramref name="path"/> for the agent at <paramref name="agentSocket"/>; the owner is set only when <paramref name="canChown"/>.</summary>
    public static SshAgentProxy Start(string agentSocket, string path, int mode, int uid, int gid, bool canChown)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(16);
            if (canChown && (uid != 0 || gid != 0)) Posix.Lchown(path, uid, gid);
            File.SetUnixFileMode(path, (UnixFileMode)(mode & 0b111_111_111));
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new SshAgentProxy(listener, agentSocket, path);
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
                lock (_connections) _connections.Add(RelayAsync(client, _stop.Token));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped: the command has ended.
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken cancellationToken)
    {
        try
        {
            await using var container = new NetworkStream(client, ownsSocket: true);
            using var agentSocket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await agentSocket.ConnectAsync(new UnixDomainSocketEndPoint(_agent), cancellationToken).ConfigureAwait(false);
            await using var agent = new NetworkStream(agentSocket, ownsSocket: false);
            while (await ReadMessageAsync(container, cancellationToken).ConfigureAwait(false) is { } request)
            {
                if (request[4] is not (RequestIdentities or SignRequest))
                {
                    await container.WriteAsync(FailureReply, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                await agent.WriteAsync(request, cancellationToken).ConfigureAwait(false);
                if (await ReadMessageAsync(agent, cancellationToken).ConfigureAwait(false) is not { } reply) return;
                await container.WriteAsync(reply, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // A connection that breaks ends alone, as one to the agent itself would; the command sees it closed.
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>One whole message with its length prefix, or null at the end of the stream or for a malformed length.</summary>
    private static async Task<byte[]?> ReadMessageAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        if (!await ReadExactAsync(stream, header, cancellationToken).ConfigureAwait(false)) return null;
        int length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length is < 1 or > MaxMessage) return null;
        var message = new byte[4 + length];
        header.CopyTo(message, 0);
        return await ReadExactAsync(stream, message.AsMemory(4), cancellationToken).ConfigureAwait(false) ? message : null;
    }

    private static async Task<bool> ReadExactAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        Task[] open;
        lock (_connections) open = [.. _connections];
        await Task.WhenAll(open).ConfigureAwait(false);
        _stop.Dispose();
        File.Delete(SocketPath);
    }
}
