using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Tabula.Layers;

/// <summary>
/// The codebase's one gzip writer: a single standard gzip member whose deflate data is made pigz-style from
/// independent fixed-size blocks compressed on several threads and joined in order. Each block but the last ends in
/// a sync flush (an empty stored block, so it stops on a byte boundary) and the last is final; the CRC-32 of each
/// block is computed where it is compressed and combined. A block in which deflate would find almost no repeated
/// strings is Huffman-coded alone (<see cref="MatchProbe"/>): the same size, a third of the time. The output depends
/// only on the input, the level and the block size — never on the thread count or timing — and the header is fixed (mtime 0, no name, OS 255 "unknown"
/// as Go writes it), so the same tar gives the same digest. Memory is bounded: at most a fixed number of blocks is
/// in flight. Writes are buffered, so tiny writes cost a copy. Dispose it to finish the stream.
/// </summary>
internal sealed class ParallelGzipStream : Stream
{
    /// <summary>Fixed: changing it changes the compressed bytes (and so layer digests).</summary>
    public const int DefaultBlockSize = 1 << 20;

    private readonly Stream _destination;
    private readonly bool _leaveOpen;
    private readonly int _level;
    private readonly int _blockSize;
    private readonly int _maxInFlight;
    private readonly Queue<Task<Block>> _pending = new();
    private readonly CompressionThreads _threads;
    private byte[]? _buffer;
    private int _filled;
    private uint _crc;
    private long _length;
    private bool _headerWritten;
    private bool _finished;
    private bool _failed;

    /// <param name="level">zlib level 0–9.</param>
    /// <param name="threads">Compressing threads; 0 means one a processor. Does not change the output.</param>
    /// <param name="blockSize">Uncompressed bytes a block; changes the output.</param>
    public ParallelGzipStream(Stream destination, int level = 6, bool leaveOpen = false, int threads = 0, int blockSize = DefaultBlockSize)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1024);
        _destination = destination;
        _leaveOpen = leaveOpen;
        _level = level;
        _blockSize = blockSize;
        int workers = threads == 0 ? Environment.ProcessorCount : threads;
        // Enough queued blocks to keep every thread busy while the oldest is written out.
        _maxInFlight = Math.Max(1, workers) * 2;
        _threads = new CompressionThreads(Math.Max(1, workers));
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_finished;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureWritable();
        while (buffer.Length > 0)
        {
            _buffer ??= ArrayPool<byte>.Shared.Rent(_blockSize);
            int n = Math.Min(buffer.Length, _blockSize - _filled);
            buffer[..n].CopyTo(_buffer.AsSpan(_filled));
            _filled += n;
            buffer = buffer[n..];
            if (_filled == _blockSize)
            {
                Submit();
                while (_pending.Count >= _maxInFlight || (_pending.Count > 0 && _pending.Peek().IsCompleted))
                    WriteOut(_pending.Dequeue().GetAwaiter().GetResult());
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        while (buffer.Length > 0)
        {
            _buffer ??= ArrayPool<byte>.Shared.Rent(_blockSize);
            int n = Math.Min(buffer.Length, _blockSize - _filled);
            buffer.Span[..n].CopyTo(_buffer.AsSpan(_filled));
            _filled += n;
            buffer = buffer[n..];
            if (_filled == _blockSize)
            {
                Submit();
                while (_pending.Count >= _maxInFlight || (_pending.Count > 0 && _pending.Peek().IsCompleted))
                    await WriteOutAsync(await _pending.Dequeue().ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    // A flush mid-stream would need a block boundary that depends on when it was called: only disposal ends blocks early.
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_finished)
        {
            _finished = true;
            try
            {
                if (!_failed)
                {
                    while (_pending.Count > 0) WriteOut(_pending.Dequeue().GetAwaiter().GetResult());
                    WriteOut(CompressLast());
                    WriteTrailer();
                }
            }
            catch
            {
                _failed = true;
                throw;
            }
            finally
            {
                Release();
                if (!_leaveOpen) _destination.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            _finished = true;
            try
            {
                if (!_failed)
                {
                    while (_pending.Count > 0) await WriteOutAsync(await _pending.Dequeue().ConfigureAwait(false), default).ConfigureAwait(false);
                    await WriteOutAsync(CompressLast(), default).ConfigureAwait(false);
                    await _destination.WriteAsync(Trailer()).ConfigureAwait(false);
                }
            }
            catch
            {
                _failed = true;
                throw;
            }
            finally
            {
                Release();
                if (!_leaveOpen) await _destination.DisposeAsync().ConfigureAwait(false);
            }
        }
        await base.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_failed) throw new InvalidOperationException("an earlier write to the gzip stream failed");
    }

    private void Submit()
    {
        var input = _buffer!;
        int count = _filled;
        _buffer = null;
        _filled = 0;
        int level = _level;
        int capacity = OutputCapacity(count);
        _pending.Enqueue(_threads.Run(() => Compress(input, count, level, final: false, capacity)));
    }

    private Block CompressLast()
    {
        var input = _buffer ?? [];
        int count = _filled;
        _buffer = null;
        _filled = 0;
        return Compress(input, count, _level, final: true, OutputCapacity(count));
    }

    private static int OutputCapacity(int count) => count + (count >> 6) + 1024;

    /// <summary>Deflates one block; returns its input buffer to the pool.</summary>
    private static Block Compress(byte[] input, int count, int level, bool final, int capacity)
    {
        var output = new PooledOutput(capacity);
        try
        {
            uint crc = GzipCrc32.Compute(input.AsSpan(0, count));
            int length;
            var strategy = level > 0 && MatchProbe.FindsFewRepeats(input.AsSpan(0, count)) ? ZLibCompressionStrategy.HuffmanOnly : ZLibCompressionStrategy.Default;
            using (var deflate = new DeflateStream(output, new ZLibCompressionOptions { CompressionLevel = level, CompressionStrategy = strategy }, leaveOpen: true))
            {
                deflate.Write(input, 0, count);
                if (!final)
                {
                    // A sync flush ends the block on a byte boundary without marking it last. What disposal adds
                    // after it (the final empty block) is cut off.
                    deflate.Flush();
                    length = (int)output.Length;
                }
                else length = -1;
            }
            if (final)
            {
                // DeflateStream writes nothing for no input; a stream still needs its final block (empty, fixed Huffman).
                if (output.Length == 0) output.Write([0x03, 0x00]);
                length = (int)output.Length;
            }
            return new Block(output.Detach(), length, crc, count);
        }
        catch
        {
            output.Dispose();
            throw;
        }
        finally
        {
            if (input.Length > 0) ArrayPool<byte>.Shared.Return(input);
        }
    }

    private void WriteOut(Block block)
    {
        try
        {
            if (!_headerWritten) { _destination.Write(Header()); _headerWritten = true; }
            _destination.Write(block.Output, 0, block.Length);
            Account(block);
        }
        catch { _failed = true; throw; }
        finally { ArrayPool<byte>.Shared.Return(block.Output); }
    }

    private async ValueTask WriteOutAsync(Block block, CancellationToken cancellationToken)
    {
        try
        {
            if (!_headerWritten) { await _destination.WriteAsync(Header(), cancellationToken).ConfigureAwait(false); _headerWritten = true; }
            await _destination.WriteAsync(block.Output.AsMemory(0, block.Length), cancellationToken).ConfigureAwait(false);
            Account(block);
        }
        catch { _failed = true; throw; }
        finally { ArrayPool<byte>.Shared.Return(block.Output); }
    }

    private void Account(Block block)
    {
        _crc = GzipCrc32.Combine(_crc, block.Crc, block.InputLength);
        _length += block.InputLength;
    }

    private byte[] Header()
    {
        // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL OS=255; XFL as zlib and Go set it: 2 for the best level, 4 for the fastest.
        byte xfl = _level == 9 ? (byte)2 : _level == 1 ? (byte)4 : (byte)0;
        return [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 0xff];
    }

    private void WriteTrailer() => _destination.Write(Trailer());

    private byte[] Trailer()
    {
        var trailer = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, _crc);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer.AsSpan(4), (uint)_length);
        return trailer;
    }

    /// <summary>Lets blocks still compressing finish, and gives back their buffers, after a failure.</summary>
    private void Release()
    {
        while (_pending.Count > 0)
        {
            var task = _pending.Dequeue();
            try { ArrayPool<byte>.Shared.Return(task.GetAwaiter().GetResult().Output); }
            catch { /* the failure that matters was already thrown */ }
        }
        if (_buffer is not null) { ArrayPool<byte>.Shared.Return(_buffer); _buffer = null; }
        _threads.Dispose();
    }

    private readonly record struct Block(byte[] Output, int Length, uint Crc, int InputLength);

    /// <summary>A write-only memory stream over pooled arrays.</summary>
    private sealed class PooledOutput(int capacity) : Stream
    {
        private byte[]? _array = ArrayPool<byte>.Shared.Rent(capacity);
        private int _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var array = _array ?? throw new ObjectDisposedException(nameof(PooledOutput));
            if (_length + buffer.Length > array.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(array.Length * 2, _length + buffer.Length));
                array.AsSpan(0, _length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(array);
                _array = array = bigger;
            }
            buffer.CopyTo(array.AsSpan(_length));
            _length += buffer.Length;
        }

        public byte[] Detach()
        {
            var array = _array!;
            _array = null;
            return array;
        }

        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && _array is not null) { ArrayPool<byte>.Shared.Return(_array); _array = null; }
            base.Dispose(disposing);
        }
    }
}
