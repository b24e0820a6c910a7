using Tabula.IO;
using Tabula.Oci;

namespace Tabula.Registry;

/// <summary>
/// A blob's bytes as they arrive from a registry, hashed as they pass: reading past the expected size, ending short
/// of it, or ending with another digest throws <see cref="RegistryContentException"/>, so no consumer completes on
/// corrupt content. Without <paramref name="hashDigest"/> only the size is held to, for a consumer that hashes the
/// bytes itself anyway (the store, when it commits them), so they are hashed once. A registry that stops sending
/// (see <see cref="ReadStallGuard"/>) fails the read with a <see cref="RegistryTimeoutException"/>.
/// </summary>
internal sealed class BlobReadStream(Stream body, Digest expected, long? expectedSize, string what, bool hashDigest, ReadStallGuard guard) : ForwardReadStream
{
    private readonly CountingStream _received = hashDigest ? new Sha256Stream(body) : new CountingStream(body);
    private bool _verified;

    public override long Length => expectedSize ?? throw new NotSupportedException();
    public override long Position { get => _received.BytesPassed; set => throw new NotSupportedException(); }

    /// <summary>Synchronous readers get the same stall timeout: only an asynchronous read can be abandoned.</summary>
    public override int Read(Span<byte> buffer)
    {
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length, 1 << 20));
        try
        {
            int read = ReadAsync(rented.AsMemory(0, Math.Min(buffer.Length, rented.Length))).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await guard.ReadAsync(_received, buffer, Stalled, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (e is not RegistryException)
        {
            throw new RegistryException($"{what}: the connection broke after {_received.BytesPassed} bytes: {e.Message}", transient: true, inner: e);
        }
        return Check(read, buffer.Length);
    }

    private RegistryTimeoutException Stalled() => new(
        $"{what}: the registry stalled after {_received.BytesPassed} bytes (less than {ReadStallGuard.ProgressBytes / 1024} KiB in {RegistryClient.Seconds(guard.Timeout)}); "
        + "nothing was stored; try again, or allow longer with --timeout or TABULA_TIMEOUT");

    private int Check(int read, int requested)
    {
        if (expectedSize is { } size && _received.BytesPassed > size)
            throw new RegistryContentException($"{what}: the registry sent more than the expected {size} bytes; nothing was stored");
        if (read == 0 && requested > 0 && !_verified)
        {
            if (expectedSize is { } s && _received.BytesPassed != s)
                throw new RegistryContentException($"{what}: the registry sent {_received.BytesPassed} bytes instead of {s} (truncated); nothing was stored");
            if (_received is Sha256Stream hashing && Digest.FromSha256Hash(hashing.Hash) is var actual && actual != expected)
                throw new RegistryContentException($"{what}: content does not match its digest: expected {expected}, got {actual}; the registry sent corrupt data, nothing was stored");
            _verified = true;
        }
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _received.Dispose(); // and the body, with its response
        }
        base.Dispose(disposing);
    }
}
