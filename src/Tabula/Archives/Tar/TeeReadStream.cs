namespace Tabula.Archives.Tar;

/// <summary>Copies every byte read from <paramref name="inner"/> into <paramref name="sink"/>, so one read feeds two consumers.</summary>
internal sealed class TeeReadStream(Stream inner, Stream sink) : ForwardReadStream
{
    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        sink.Write(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        await sink.WriteAsync(buffer[..n], cancellationToken).ConfigureAwait(false);
        return n;
    }
}
