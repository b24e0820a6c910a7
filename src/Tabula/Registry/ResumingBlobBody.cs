using System.Net;
using Tabula.IO;

namespace Tabula.Registry;

/// <summary>
/// The body of a blob GET that carries on where it broke: when the connection fails after some bytes, the blob is
/// asked for again from that offset (<c>Range: bytes=N-</c>) and reading goes on, so a large layer is not fetched
/// twice and its consumer (which hashes and unpacks as it reads) never sees the break. A registry that ignores the
/// range answers 200 with the whole blob: the bytes already read are skipped. Each resume must follow new progress,
/// and there are at most <see cref="MaxResumes"/>, so a registry that breaks every connection still fails.
/// </summary>
internal sealed class ResumingBlobBody(HttpResponseMessage response, Stream body, Func<long, CancellationToken, Task<HttpResponseMessage>> reopen, string what) : ForwardReadStream
{
    public const int MaxResumes = 3;

    private HttpResponseMessage _response = response;
    private Stream _body = body;
    private long _position;
    private long _positionAtOpen;
    private int _resumes;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            int read = ReadAsync(rented.AsMemory(0, buffer.Length)).AsTask().GetAwaiter().GetResult();
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
        while (true)
        {
            try
            {
                int read = await _body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                _position += read;
                return read;
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested && _resumes < MaxResumes && _position > _positionAtOpen)
            {
                await ResumeAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        _resumes++;
        _body.Dispose();
        _response.Dispose();
        _response = await reopen(_position, cancellationToken).ConfigureAwait(false);
        _body = await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        _positionAtOpen = _position;
        if (_response.StatusCode == HttpStatusCode.PartialContent)
        {
            if (_response.Content.Headers.ContentRange?.From != _position)
                throw new RegistryContentException($"{what}: asked to go on from byte {_position}, the registry sent another range; nothing was stored");
            return;
        }
        if (_response.StatusCode != HttpStatusCode.OK)
            throw new RegistryException($"{what}: the connection broke after {_position} bytes and the registry answered {(int)_response.StatusCode} when asked for the rest", transient: true);
        await SkipAsync(_position, cancellationToken).ConfigureAwait(false); // the whole blob again: drop what was read
    }

    private async Task SkipAsync(long count, CancellationToken cancellationToken)
    {
        var sink = new byte[64 << 10];
        while (count > 0)
        {
            int read = await _body.ReadAsync(sink.AsMemory(0, (int)Math.Min(sink.Length, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0) throw new RegistryContentException($"{what}: asked again, the registry sent fewer bytes than it had before; nothing was stored");
            count -= read;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body.Dispose();
            _response.Dispose();
        }
        base.Dispose(disposing);
    }
}
