using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Tabula.Layers;

/// <summary>
/// Reads tar headers from a stream, one pass, never seeking: ustar, PAX (<c>x</c> records, <c>g</c> skipped),
/// GNU long names (<c>L</c>, <c>K</c>) and base-256 numbers, V7. Written for layers rather than taken from
/// <see cref="System.Formats.Tar.TarReader"/> because PAX xattr values are bytes (file capabilities are binary)
/// and PAX keys and fractional times must be visible to decide whether an archive can be a layer as it is.
/// </summary>
internal sealed class TarArchiveReader
{
    private const int BlockSize = TarHeaderEncoder.BlockSize;
    private const int MaxSpecialSize = 1 << 20; // PAX and GNU long-name data, as Go's reader limits them

    private readonly Stream _source;
    private readonly bool _seekPastContent;
    private readonly byte[] _block = new byte[BlockSize];
    private long _position;
    private long _pendingSkip;
    private EntryContentStream? _current;
    private bool _ended;

    /// <param name="seekPastContent">
    /// Skip content that is not read by seeking the source (which must then be seekable) instead of
    /// reading it: an index of a tar file on disk then reads only its headers.
    /// </param>
    public TarArchiveReader(Stream source, bool seekPastContent = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (seekPastContent && !source.CanSeek) throw new ArgumentException("skipping content by seeking needs a seekable stream", nameof(source));
        _source = source;
        _seekPastContent = seekPastContent;
    }

    /// <summary>Bytes consumed from the source so far.</summary>
    public long Position => _position;

    /// <summary>
    /// The next entry, or null at the end of the archive (a zero block or the end of the stream). Whatever content
    /// of the previous entry was not read is skipped. Headers that are not tar headers are a <see cref="LayerFormatException"/>.
    /// </summary>
    public async Task<TarArchiveEntry?> NextAsync(CancellationToken cancellationToken)
    {
        if (_ended) return null;
        await SkipRestOfEntryAsync(cancellationToken).ConfigureAwait(false);
        var pax = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string? longName = null, longLink = null;
        while (true)
        {
            long headerOffset = _position;
            int read = await ReadBlockAsync(cancellationToken).ConfigureAwait(false);
            if (read == 0 || !_block.AsSpan().ContainsAnyExcept((byte)0))
            {
                if (pax.Count > 0 || longName is not null || longLink is not null)
                    throw new LayerFormatException($"the tar ends after an extended header at offset {headerOffset} without the entry it describes");
                _ended = true;
                return null;
            }
            if (read < BlockSize) throw new LayerFormatException($"the tar is truncated: a partial header at offset {headerOffset}");
            if (!ArchiveDetector.IsTarHeader(_block)) throw new LayerFormatException($"invalid tar header at offset {headerOffset} (bad checksum): the archive is corrupt or not a tar");

            char flag = (char)_block[156];
            long size = ParseNumber(_block.AsSpan(124, 12), "size", headerOffset);
            switch (flag)
            {
                case 'x':
                    foreach (var (key, value) in ParsePaxRecords(await ReadSpecialAsync(size, headerOffset, cancellationToken).ConfigureAwait(false), headerOffset))
                        pax[key] = value;
                    continue;
                case 'g':
                    // Global records apply to no entry in the readers that apply layers (Go, moby, containerd ignore them).
                    await ReadSpecialAsync(size, headerOffset, cancellationToken).ConfigureAwait(false);
                    continue;
                case 'L':
                    longName = CString(await ReadSpecialAsync(size, headerOffset, cancellationToken).ConfigureAwait(false));
                    continue;
                case 'K':
                    longLink = CString(await ReadSpecialAsync(size, headerOffset, cancellationToken).ConfigureAwait(false));
                    continue;
            }
            return BuildEntry(flag, size, pax, longName, longLink, headerOffset);
        }
    }

    /// <summary>A read stream of the current entry's content (valid until the next call to <see cref="NextAsync"/>).</summary>
    public Stream OpenContent()
        => _current ?? throw new InvalidOperationException("there is no current entry");

    /// <summary>Reads the rest of the source (trailing zero blocks, padding) so that hashing sees every byte.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        await SkipRestOfEntryAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await _source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0) _position += read;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _ended = true;
    }

    private TarArchiveEntry BuildEntry(char flag, long size, Dictionary<string, byte[]> pax, string? longName, string? longLink, long headerOffset)
    {
        var header = _block.AsSpan();
        bool ustar = header.Slice(257, 6).SequenceEqual("ustar\0"u8);
        string name = CString(header[..100]);
        if (ustar && header[345] != 0) name = CString(header.Slice(345, 155)) + "/" + name;
        if (longName is not null) name = longName;
        if (pax.TryGetValue("path", out var paxPath)) name = Encoding.UTF8.GetString(paxPath);
        string linkName = longLink ?? CString(header.Slice(157, 100));
        if (pax.TryGetValue("linkpath", out var paxLink)) linkName = Encoding.UTF8.GetString(paxLink);

        long uid = ParseNumber(header.Slice(108, 8), "uid", headerOffset);
        long gid = ParseNumber(header.Slice(116, 8), "gid", headerOffset);
        long mtime = ParseNumber(header.Slice(136, 12), "mtime", headerOffset);
        if (!LayerTimes.InRange(mtime)) throw new LayerFormatException($"tar mtime {mtime} at offset {headerOffset} is out of range");
        var modTime = DateTimeOffset.FromUnixTimeSeconds(mtime);
        if (pax.TryGetValue("uid", out var paxUid)) uid = ParseDecimal(paxUid, "uid", headerOffset);
        if (pax.TryGetValue("gid", out var paxGid)) gid = ParseDecimal(paxGid, "gid", headerOffset);
        if (pax.TryGetValue("size", out var paxSize)) size = ParseDecimal(paxSize, "size", headerOffset);
        if (pax.TryGetValue("mtime", out var paxTime)) modTime = ParsePaxTime(paxTime, headerOffset);
        if (uid is < 0 or > int.MaxValue || gid is < 0 or > int.MaxValue || size < 0)
            throw new LayerFormatException($"tar entry '{name}' has an out-of-range uid, gid or size") { EntryPath = name };

        if (flag == '\0' && name.EndsWith('/')) flag = '5'; // V7 marked directories by the trailing slash only
        LayerEntryType? type = flag switch
        {
            '0' or '\0' => LayerEntryType.RegularFile,
            '1' => LayerEntryType.Hardlink,
            '2' => LayerEntryType.Symlink,
            '3' => LayerEntryType.CharacterDevice,
            '4' => LayerEntryType.BlockDevice,
            '5' => LayerEntryType.Directory,
            '6' => LayerEntryType.Fifo,
            _ => null,
        };
        // Links, directories, devices and fifos are header-only in Go's reader: a size field there is ignored, no data follows.
        long dataSize = type is null or LayerEntryType.RegularFile ? size : 0;
        _current = new EntryContentStream(this, dataSize);
        _pendingSkip = Padding(dataSize);

        var xattrs = LayerXattrs.Empty;
        foreach (var (key, value) in pax)
            if (key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal)) xattrs = xattrs.SetItem(key["SCHILY.xattr.".Length..], value);

        return new TarArchiveEntry
        {
            Name = name,
            Type = type,
            TypeFlag = flag,
            Mode = (int)(ParseNumber(header.Slice(100, 8), "mode", headerOffset) & LayerModes.AllPermissionBits),
            Uid = (int)uid,
            Gid = (int)gid,
            ModTime = modTime,
            LinkName = linkName,
            Size = dataSize,
            DevMajor = (int)ParseNumber(header.Slice(329, 8), "devmajor", headerOffset, allowGnuGarbage: !ustar),
            DevMinor = (int)ParseNumber(header.Slice(337, 8), "devminor", headerOffset, allowGnuGarbage: !ustar),
            Xattrs = xattrs,
            PaxKeys = [.. pax.Keys.Order(StringComparer.Ordinal)],
            DataOffset = _position,
        };
    }

    private async Task<byte[]> ReadSpecialAsync(long size, long headerOffset, CancellationToken cancellationToken)
    {
        if (size > MaxSpecialSize) throw new LayerFormatException($"the extended header at offset {headerOffset} is {size} bytes; more than {MaxSpecialSize} is refused");
        var data = new byte[size];
        int read = await _source.ReadAtLeastAsync(data, data.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        _position += read;
        if (read < size) throw new LayerFormatException($"the tar is truncated inside the extended header at offset {headerOffset}");
        await SkipAsync(Padding(size), cancellationToken).ConfigureAwait(false);
        return data;
    }

    private async Task<int> ReadBlockAsync(CancellationToken cancellationToken)
    {
        int read = await _source.ReadAtLeastAsync(_block, BlockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        _position += read;
        return read;
    }

    private async Task SkipRestOfEntryAsync(CancellationToken cancellationToken)
    {
        if (_current is not null)
        {
            _pendingSkip += _current.Remaining;
            _current.Close();
            _current = null;
        }
        await SkipAsync(_pendingSkip, cancellationToken).ConfigureAwait(false);
        _pendingSkip = 0;
    }

    private async Task SkipAsync(long count, CancellationToken cancellationToken)
    {
        if (count <= 0) return;
        if (_seekPastContent)
        {
            if (_source.Length - _source.Position < count) throw new LayerFormatException("the tar is truncated: it ends inside an entry's content");
            _source.Seek(count, SeekOrigin.Current);
            _position += count;
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(count, 64 * 1024));
        try
        {
            while (count > 0)
            {
                int read = await _source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(count, buffer.Length)), cancellationToken).ConfigureAwait(false);
                if (read == 0) throw new LayerFormatException("the tar is truncated: it ends inside an entry's content");
                _position += read;
                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static IEnumerable<KeyValuePair<string, byte[]>> ParsePaxRecords(byte[] data, long headerOffset)
    {
        var records = new List<KeyValuePair<string, byte[]>>();
        int offset = 0;
        while (offset < data.Length)
        {
            if (data[offset] == 0) break; // some writers pad the records with NULs
            int space = Array.IndexOf(data, (byte)' ', offset);
            if (space < 0 || !int.TryParse(data.AsSpan(offset, space - offset), NumberStyles.None, CultureInfo.InvariantCulture, out int length)
                || length <= space - offset + 1 || offset + length > data.Length || data[offset + length - 1] != '\n')
                throw new LayerFormatException($"malformed PAX record in the extended header at offset {headerOffset}");
            var record = data.AsSpan(space + 1, offset + length - space - 2);
            int equals = record.IndexOf((byte)'=');
            if (equals <= 0) throw new LayerFormatException($"malformed PAX record in the extended header at offset {headerOffset}");
            records.Add(new(Encoding.UTF8.GetString(record[..equals]), record[(equals + 1)..].ToArray()));
            offset += length;
        }
        return records;
    }

    private static DateTimeOffset ParsePaxTime(byte[] value, long headerOffset)
    {
        string text = Encoding.ASCII.GetString(value);
        // Beyond what a DateTimeOffset holds (years 1 to 9999) is no time a file can have, and would overflow below.
        if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || seconds < LayerTimes.MinUnixSeconds || seconds > LayerTimes.MaxUnixSeconds)
            throw new LayerFormatException($"invalid PAX mtime '{text}' at offset {headerOffset}");
        long ticks = (long)decimal.Floor(seconds * TimeSpan.TicksPerSecond);
        return DateTimeOffset.UnixEpoch.AddTicks(ticks);
    }

    private static long ParseDecimal(byte[] value, string field, long headerOffset)
        => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long number)
            ? number
            : throw new LayerFormatException($"invalid PAX {field} '{Encoding.ASCII.GetString(value)}' at offset {headerOffset}");

    /// <summary>Octal (space/NUL padded) or GNU base-256 (high bit set), as Go's reader accepts.</summary>
    private static long ParseNumber(ReadOnlySpan<byte> field, string name, long headerOffset, bool allowGnuGarbage = false)
    {
        if (field.Length > 0 && (field[0] & 0x80) != 0)
        {
            bool negative = (field[0] & 0x40) != 0;
            long value = field[0] & 0x3F;
            if (negative) value = ~0x3F | value;
            foreach (byte b in field[1..])
            {
                if (value > (long.MaxValue >> 8) || value < (long.MinValue >> 8)) throw new LayerFormatException($"tar {name} at offset {headerOffset} overflows");
                value = (value << 8) | b;
            }
            return value;
        }
        var digits = field.Trim(" \0"u8);
        long result = 0;
        foreach (byte digit in digits)
        {
            if (digit is < (byte)'0' or > (byte)'7')
            {
                if (allowGnuGarbage) return 0;
                throw new LayerFormatException($"invalid octal {name} in the tar header at offset {headerOffset}");
            }
            result = checked(result * 8 + (digit - '0'));
        }
        return result;
    }

    private static string CString(ReadOnlySpan<byte> field)
    {
        int nul = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul < 0 ? field : field[..nul]);
    }

    private static long Padding(long size) => TarHeaderEncoder.Padding(size);

    /// <summary>The content of the current entry: reads at most its size from the shared source.</summary>
    private sealed class EntryContentStream(TarArchiveReader reader, long size) : Stream
    {
        private readonly long _size = size;
        private bool _closed;

        public long Remaining { get; private set; } = size;

        public override bool CanRead => !_closed;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => _size;
        public override long Position { get => _size - Remaining; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (Remaining == 0) return 0;
            int read = reader._source.Read(buffer[..(int)Math.Min(buffer.Length, Remaining)]);
            return Account(read);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (Remaining == 0) return 0;
            int read = await reader._source.ReadAsync(buffer[..(int)Math.Min(buffer.Length, Remaining)], cancellationToken).ConfigureAwait(false);
            return Account(read);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Account(int read)
        {
            if (read == 0) throw new LayerFormatException("the tar is truncated: it ends inside an entry's content");
            Remaining -= read;
            reader._position += read;
            return read;
        }

        public override void Close() { _closed = true; base.Close(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
