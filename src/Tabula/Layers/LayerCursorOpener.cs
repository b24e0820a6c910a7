using System.Buffers;
using Tabula.IO;

namespace Tabula.Layers;

/// <summary>
/// Opens files inside lower layers by reading each layer forward once where it can: a layer's stream stays open
/// between files, so files read in layer order (a tree walk over sorted layers) cost one pass per layer instead of
/// one pass per file. A file before the cursor, or asked for while another of the same layer is being read, gets a
/// fresh stream of its own. Not thread-safe; dispose to close the streams kept open.
/// </summary>
internal sealed class LayerCursorOpener(IReadOnlyList<Func<CancellationToken, Task<Stream>>> openUncompressedLayers) : IAsyncDisposable
{
    private readonly Dictionary<int, Cursor> _cursors = [];

    public LowerLayerOpener Opener => OpenAsync;

    private async ValueTask<Stream> OpenAsync(LowerLayerContent content, CancellationToken cancellationToken)
    {
        if (_cursors.TryGetValue(content.LayerIndex, out var cursor) && !cursor.Leased && cursor.Position <= content.DataOffset)
        {
            await SkipAsync(cursor, content.DataOffset - cursor.Position, cancellationToken).ConfigureAwait(false);
            cursor.Leased = true;
            return new Slice(cursor, content.Length, owned: false);
        }
        var stream = await openUncompressedLayers[content.LayerIndex](cancellationToken).ConfigureAwait(false);
        var fresh = new Cursor(stream);
        try
        {
            await SkipAsync(fresh, content.DataOffset, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        if (cursor is null || !cursor.Leased)
        {
            if (cursor is not null) await cursor.Stream.DisposeAsync().ConfigureAwait(false);
            _cursors[content.LayerIndex] = fresh;
            fresh.Leased = true;
            return new Slice(fresh, content.Length, owned: false);
        }
        return new Slice(fresh, content.Length, owned: true);
    }

    private static async Task SkipAsync(Cursor cursor, long count, CancellationToken cancellationToken)
    {
        if (count <= 0) return;
        // Between two small files of a layer lie a header and some padding: a buffer that size, from the pool, not
        // 64 KiB allocated and zeroed for each file.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(64 * 1024, count));
        try
        {
            while (count > 0)
            {
                int n = await cursor.Stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken).ConfigureAwait(false);
                if (n == 0) throw new LayerFormatException("a layer ended before a file it lists");
                count -= n;
                cursor.Position += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var cursor in _cursors.Values) await cursor.Stream.DisposeAsync().ConfigureAwait(false);
        _cursors.Clear();
    }

    private sealed class Cursor(Stream stream)
    {
        public Stream Stream { get; } = stream;
        public long Position { get; set; }
        public bool Leased { get; set; }
    }

    /// <summary>The next <c>length</c> bytes of a cursor; gives the cursor back (or closes a private one) when disposed.</summary>
    private sealed class Slice(Cursor cursor, long length, bool owned) : ForwardReadStream
    {
        private long _left = length;
        private bool _disposed;

        public override int Read(Span<byte> buffer)
        {
            if (_left <= 0) return 0;
            int n = cursor.Stream.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            _left -= n;
            cursor.Position += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left <= 0) return 0;
            int n = await cursor.Stream.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken).ConfigureAwait(false);
            _left -= n;
            cursor.Position += n;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed)
            {
                _disposed = true;
                if (owned) cursor.Stream.Dispose();
                else cursor.Leased = false;
            }
            base.Dispose(disposing);
        }
    }
}
