using System.IO.Compression;
using Tabula.IO;

namespace Tabula.Archives;

/// <summary>
/// A gzip compressor whose output depends only on its input: the header's mtime is zero and its OS byte is 255
/// ("unknown", as Go writes it) instead of the build platform's code, so the same layer compresses to the same digest
/// on any machine.
/// </summary>
internal static class DeterministicGzip
{
    private const int HeaderLength = 10;
    private const int OsByte = 9;

    public static Stream Create(Stream destination)
        => new GZipStream(new HeaderFix(destination), CompressionLevel.Optimal, leaveOpen: false);

    /// <summary>Rewrites the variable bytes of the gzip header as they pass, then stays out of the way.</summary>
    private sealed class HeaderFix(Stream inner) : ForwardWriteStream(inner)
    {
        private long _written;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Destination.Write(_written >= HeaderLength ? buffer : Fix(buffer));
            _written += buffer.Length;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Destination.WriteAsync(_written >= HeaderLength ? buffer : Fix(buffer.Span), cancellationToken).ConfigureAwait(false);
            _written += buffer.Length;
        }

        private byte[] Fix(ReadOnlySpan<byte> chunk)
        {
            var copy = chunk.ToArray();
            for (int i = 0; i < copy.Length && _written + i < HeaderLength; i++)
            {
                long at = _written + i;
                if (at is >= 4 and < 8) copy[i] = 0;        // MTIME
                else if (at == OsByte) copy[i] = 0xff;      // OS: unknown
            }
            return copy;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) Destination.Dispose();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await Destination.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
