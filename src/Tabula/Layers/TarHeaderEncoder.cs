using System.Buffers;
using System.Text;

namespace Tabula.Layers;

/// <summary>
/// Encodes a <see cref="LayerEntry"/> into tar header blocks exactly as Go's <c>archive/tar</c> writes a header
/// that moby marks <c>FormatPAX</c>: a plain ustar header whenever the entry fits one, otherwise a PAX extended
/// header (<c>x</c>, records sorted by key) followed by the ustar-magic main header with what fits.
/// </summary>
internal static class TarHeaderEncoder
{
    public const int BlockSize = 512;

    private const int NameSize = 100;
    private const int PrefixSize = 155;
    private const long MaxOctal7 = (1L << 21) - 1;   // 8-byte numeric fields: 7 octal digits + NUL
    private const long MaxOctal11 = (1L << 33) - 1;  // 12-byte numeric fields: 11 octal digits + NUL

    // Field offsets of the ustar header.
    private const int NameOffset = 0, ModeOffset = 100, UidOffset = 108, GidOffset = 116, SizeOffset = 124, MtimeOffset = 136;
    private const int ChecksumOffset = 148, TypeOffset = 156, LinkNameOffset = 157, MagicOffset = 257, VersionOffset = 263;
    private const int DevMajorOffset = 329, DevMinorOffset = 337, PrefixOffset = 345;

    /// <summary>Appends the header block(s) of <paramref name="entry"/> to <paramref name="output"/>.</summary>
    /// <param name="base256Size">
    /// Write a size beyond 11 octal digits (8 GiB) in base-256 in the header, as GNU tar does and Go's reader accepts,
    /// instead of in a PAX record: the header's length then does not depend on the size, so a writer can fill the
    /// header in after streaming content of unknown length.
    /// </param>
    public static void Encode(LayerEntry entry, IBufferWriter<byte> output, bool base256Size = false)
    {
        string name = entry.Type == LayerEntryType.Directory ? entry.Path + "/" : entry.Path;
        string linkName = entry.Type is LayerEntryType.Symlink or LayerEntryType.Hardlink ? entry.LinkTarget : "";
        long size = entry.Type == LayerEntryType.RegularFile ? entry.Size : 0;
        long mtime = entry.ModTime.ToUnixTimeSeconds();
        if (size < 0) throw new LayerFormatException($"'{entry.Path}' has a negative size") { EntryPath = entry.Path };
        if (!FitsOctal(entry.DevMajor, MaxOctal7) || !FitsOctal(entry.DevMinor, MaxOctal7))
            throw new LayerFormatException($"'{entry.Path}': device numbers {entry.DevMajor},{entry.DevMinor} do not fit a tar header") { EntryPath = entry.Path };

        var records = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        bool pathNeedsPax = !IsAscii(name) || name.Length > NameSize;
        if (pathNeedsPax) records["path"] = Encoding.UTF8.GetBytes(name);
        if (!IsAscii(linkName) || linkName.Length > NameSize) records["linkpath"] = Encoding.UTF8.GetBytes(linkName);
        if (!FitsOctal(entry.Uid, MaxOctal7)) records["uid"] = Ascii(entry.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!FitsOctal(entry.Gid, MaxOctal7)) records["gid"] = Ascii(entry.Gid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!FitsOctal(size, MaxOctal11) && !base256Size) records["size"] = Ascii(size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!FitsOctal(mtime, MaxOctal11)) records["mtime"] = Ascii(mtime.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (xattr, value) in entry.Xattrs)
            records["SCHILY.xattr." + xattr] = value;

        // Go prefers ustar whenever the only obstacle is a long ASCII name that splits into prefix + name.
        bool onlySplittablePath = records.Count == (pathNeedsPax ? 1 : 0) && (!pathNeedsPax || TrySplitUstarPath(name, out _, out _));
        if (onlySplittablePath)
        {
            WriteMainHeader(output, entry, name, linkName, size, mtime, splitLongName: true, base256Size);
            return;
        }

        WritePaxHeader(output, name, records);
        WriteMainHeader(output, entry, name, linkName, size, mtime, splitLongName: false, base256Size);
    }

    private static void WriteMainHeader(IBufferWriter<byte> output, LayerEntry entry, string name, string linkName, long size, long mtime, bool splitLongName, bool base256Size)
    {
        var block = output.GetSpan(BlockSize)[..BlockSize];
        block.Clear();
        if (splitLongName && name.Length > NameSize && TrySplitUstarPath(name, out var prefix, out var suffix))
        {
            FormatString(block.Slice(NameOffset, NameSize), suffix);
            FormatString(block.Slice(PrefixOffset, PrefixSize), prefix);
        }
        else
        {
            FormatString(block.Slice(NameOffset, NameSize), ToAscii(name));
        }
        FormatString(block.Slice(LinkNameOffset, NameSize), ToAscii(linkName));
        FormatOctal(block.Slice(ModeOffset, 8), entry.Mode);
        FormatOctal(block.Slice(UidOffset, 8), entry.Uid);
        FormatOctal(block.Slice(GidOffset, 8), entry.Gid);
        if (base256Size && !FitsOctal(size, MaxOctal11)) FormatBase256(block.Slice(SizeOffset, 12), size);
        else FormatOctal(block.Slice(SizeOffset, 12), size);
        FormatOctal(block.Slice(MtimeOffset, 12), mtime);
        block[TypeOffset] = TypeFlag(entry.Type);
        FormatOctal(block.Slice(DevMajorOffset, 8), entry.DevMajor);
        FormatOctal(block.Slice(DevMinorOffset, 8), entry.DevMinor);
        SetUstarMagicAndChecksum(block);
        output.Advance(BlockSize);
    }

    private static void WritePaxHeader(IBufferWriter<byte> output, string realName, SortedDictionary<string, byte[]> records)
    {
        var data = new ArrayBufferWriter<byte>();
        foreach (var (key, value) in records) AppendPaxRecord(data, key, value);

        var block = output.GetSpan(BlockSize)[..BlockSize];
        block.Clear();
        FormatString(block.Slice(NameOffset, NameSize), PaxHeaderName(realName));
        FormatOctal(block.Slice(ModeOffset, 8), 0);
        FormatOctal(block.Slice(UidOffset, 8), 0);
        FormatOctal(block.Slice(GidOffset, 8), 0);
        FormatOctal(block.Slice(SizeOffset, 12), data.WrittenCount);
        FormatOctal(block.Slice(MtimeOffset, 12), 0);
        block[TypeOffset] = (byte)'x';
        SetUstarMagicAndChecksum(block);
        output.Advance(BlockSize);

        output.Write(data.WrittenSpan);
        int padding = Padding(data.WrittenCount);
        output.GetSpan(padding)[..padding].Clear();
        output.Advance(padding);
    }

    /// <summary>Go names the extended header <c>dir/PaxHeaders.0/file</c> (best effort: ASCII, 100 bytes, no trailing '/').</summary>
    private static string PaxHeaderName(string realName)
    {
        int slash = realName.LastIndexOf('/');
        string dir = realName[..(slash + 1)];
        string file = realName[(slash + 1)..];
        string joined = dir + "PaxHeaders.0" + (file.Length > 0 ? "/" + file : "");
        joined = ToAscii(joined);
        if (joined.Length > NameSize) joined = joined[..NameSize];
        return joined.TrimEnd('/');
    }

    /// <summary>A PAX record <c>"%d %s=%s\n"</c> whose length prefix counts itself.</summary>
    private static void AppendPaxRecord(ArrayBufferWriter<byte> data, string key, byte[] value)
    {
        byte[] keyBytes = Encoding.UTF8.GetBytes(key);
        int size = keyBytes.Length + value.Length + 3;
        size += Digits(size);
        // Adding the length's own digits can make it one digit longer (Go's final adjustment).
        int recordLength = keyBytes.Length + value.Length + 3 + Digits(size);
        if (recordLength != size) size = recordLength;
        data.Write(Encoding.ASCII.GetBytes(size.ToString(System.Globalization.CultureInfo.InvariantCulture) + " "));
        data.Write(keyBytes);
        data.Write("="u8);
        data.Write(value);
        data.Write("\n"u8);
    }

    private static int Digits(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;

    /// <summary>Go's <c>splitUSTARPath</c>: a long ASCII name split at a '/' into a prefix (≤155) and a name (≤100).</summary>
    private static bool TrySplitUstarPath(string name, out string prefix, out string suffix)
    {
        prefix = suffix = "";
        int length = name.Length;
        if (length <= NameSize || !IsAscii(name)) return false;
        if (length > PrefixSize + 1) length = PrefixSize + 1;
        else if (name[length - 1] == '/') length--;
        int i = name.LastIndexOf('/', length - 1);
        int nameLength = name.Length - i - 1;
        if (i <= 0 || nameLength > NameSize || nameLength == 0 || i > PrefixSize) return false;
        prefix = name[..i];
        suffix = name[(i + 1)..];
        return true;
    }

    private static byte TypeFlag(LayerEntryType type) => type switch
    {
        LayerEntryType.RegularFile => (byte)'0',
        LayerEntryType.Hardlink => (byte)'1',
        LayerEntryType.Symlink => (byte)'2',
        LayerEntryType.CharacterDevice => (byte)'3',
        LayerEntryType.BlockDevice => (byte)'4',
        LayerEntryType.Directory => (byte)'5',
        LayerEntryType.Fifo => (byte)'6',
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static void SetUstarMagicAndChecksum(Span<byte> block)
    {
        "ustar\0"u8.CopyTo(block[MagicOffset..]);
        "00"u8.CopyTo(block[VersionOffset..]);
        // The checksum is computed with its own field as spaces, then written as 6 octal digits, NUL, space.
        block.Slice(ChecksumOffset, 8).Fill((byte)' ');
        int sum = 0;
        foreach (byte b in block) sum += b;
        FormatOctal(block.Slice(ChecksumOffset, 7), sum);
        block[ChecksumOffset + 7] = (byte)' ';
    }

    /// <summary>Go's <c>formatOctal</c>: zero-padded to leave room for a NUL; a value that does not fit is written as 0 (PAX carries it).</summary>
    private static void FormatOctal(Span<byte> field, long value)
    {
        if (!FitsOctal(value, field.Length >= 22 ? long.MaxValue : (1L << ((field.Length - 1) * 3)) - 1)) value = 0;
        string digits = Convert.ToString(value, 8);
        int zeros = field.Length - digits.Length - 1;
        FormatString(field, zeros > 0 ? new string('0', zeros) + digits : digits);
    }

    /// <summary>Go's <c>formatNumeric</c> for a value too large for octal: big-endian bytes with the top bit of the field set.</summary>
    private static void FormatBase256(Span<byte> field, long value)
    {
        field.Clear();
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(field[^8..], value);
        field[0] |= 0x80;
    }

    /// <summary>Go's <c>formatString</c>: copies what fits and NUL-terminates when there is room.</summary>
    private static void FormatString(Span<byte> field, string ascii)
    {
        int length = Math.Min(ascii.Length, field.Length);
        for (int i = 0; i < length; i++) field[i] = (byte)ascii[i];
        if (ascii.Length < field.Length) field[ascii.Length] = 0;
        // Some readers take a regular file whose truncated name ends in '/' for a directory.
        if (ascii.Length > field.Length && field[^1] == '/')
        {
            int end = field.Length - 1;
            while (end > 0 && field[end - 1] == '/') end--;
            field[end] = 0;
        }
    }

    private static bool FitsOctal(long value, long max) => value >= 0 && value <= max;

    private static bool IsAscii(string text)
    {
        foreach (char c in text)
            if (c >= 0x80 || c == 0) return false;
        return true;
    }

    private static string ToAscii(string text)
    {
        if (IsAscii(text)) return text;
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
            if (c < 0x80 && c != 0) builder.Append(c);
        return builder.ToString();
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    public static int Padding(long length) => (int)((BlockSize - length % BlockSize) % BlockSize);
}
