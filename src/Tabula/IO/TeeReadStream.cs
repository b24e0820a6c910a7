namespace Tabula.IO;

/// <summary>Hands every byte read from <paramref name="source"/> to <paramref name="sink"/> as well: one read, two consumers.</summary>
internal sealed class TeeReadStream(Stream source, Stream sink) : ForwardReadStream
{
    public override int Read(Span<byte> buffer)
    {
        int read = source.Read(buffer);
        sink.Write(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        await sink.WriteAsync(buffer[..read], cancellationToken).ConfigureAwait(false);
        return read;
    }
}
