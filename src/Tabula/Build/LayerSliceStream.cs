using Tabula.Images;
using Tabula.IO;
using Tabula.Layers;

namespace Tabula.Build;

/// <summary>Opens one file's bytes inside a lower layer: the layer's tar is read forward to the file's data.</summary>
internal static class LayerSlice
{
    public static LowerLayerOpener OpenerFor(IReadOnlyList<ILayer> layers) => async (content, cancellationToken) =>
    {
        var tar = await layers[content.LayerIndex].OpenUncompressedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SkipAsync(tar, content.DataOffset, cancellationToken).ConfigureAwait(false);
            return new BoundedReadStream(tar, content.Length);
        }
        catch
        {
            await tar.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    };

    private static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (count > 0)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken).ConfigureAwait(false);
            if (n == 0) throw new EndOfStreamException("a layer ended before a file it lists");
            count -= n;
        }
    }

    /// <summary>The first <c>length</c> bytes of a stream, which it owns.</summary>
    private sealed class BoundedReadStream(Stream inner, long length) : ForwardReadStream
    {
        private long _left = length;

        public override int Read(Span<byte> buffer)
        {
            if (_left <= 0) return 0;
            int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            _left -= n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left <= 0) return 0;
            int n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken).ConfigureAwait(false);
            _left -= n;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
