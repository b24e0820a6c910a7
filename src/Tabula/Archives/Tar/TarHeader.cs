using System.Buffers.Binary;
using System.Text;

namespace Tabula.Archives.Tar;

/// <summary>
/// The 512-byte ustar header block, written the way Go's archive/tar writes it for docker (octal fields with a NUL,
/// no user or group names), so archives are byte-for-byte reproducible.
/// </summary>
internal static class TarHeader
{
    public const int BlockSize = 512;
    public const char Regular = '0';
    public const char HardLink = '1';
    public const char Symlink = '2';
    public const char Directory = '5';
    public const char PaxLocal = 'x';
    public const char PaxGlobal = 'g';
    public const char GnuLongName = 'L';
    public const char GnuLongLink = 'K';

    /// <summary>The largest size an 11-digit octal field holds; beyond it the size is written base-256 as GNU tar and Go do.</summary>
    private const long MaxOctalSize = 0x1_FFFF_FFFF; // 8 GiB - 1

    public static byte[] Build(string name, char type, long size, int mode, string linkName = "")
    {
        var block = new byte[BlockSize];
        var (prefix, shortName) = SplitName(name);
        WriteText(block.AsSpan(0, 100), shortName, "name", name);
        WriteOctal(block.AsSpan(100, 8), mode);
        WriteOctal(block.AsSpan(108, 8), 0); // uid
        WriteOctal(block.AsSpan(116, 8), 0); // gid
        WriteSize(block.AsSpan(124, 12), size);
        WriteOctal(block.AsSpan(136, 12), 0); // mtime: the Unix epoch, as docker stamps its archives
        block[156] = (byte)type;
        WriteText(block.AsSpan(157, 100), linkName, "link target", name);
        "ustar\0"u8.CopyTo(block.AsSpan(257, 6));
        "00"u8.CopyTo(block.AsSpan(263, 2));
        WriteOctal(block.AsSpan(329, 8), 0); // devmajor
        WriteOctal(block.AsSpan(337, 8), 0); // devminor
        WriteText(block.AsSpan(345, 155), prefix, "name prefix", name);
        WriteChecksum(block);
        return block;
    }

    /// <summary>Bytes of zero padding that follow <paramref name="size"/> bytes of data to the next block boundary.</summary>
    public static int Padding(long size) => (int)((BlockSize - size % BlockSize) % BlockSize);

    /// <summary>Whether a header block's checksum is right (unsigned, or signed as some old tars wrote it).</summary>
    public static bool ChecksumMatches(ReadOnlySpan<byte> block)
    {
        if (!TryParseNumber(block.Slice(148, 8), out long stored)) return false;
        long unsigned = 0, signed = 0;
        for (int i = 0; i < BlockSize; i++)
        {
            byte b = i is >= 148 and < 156 ? (byte)' ' : block[i];
            unsigned += b;
            signed += (sbyte)b;
        }
        return stored == unsigned || stored == signed;
    }

    /// <summary>Parses an octal field (NUL/space padded) or a base-256 field (high bit set).</summary>
    public static bool TryParseNumber(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        if (field.Length > 0 && (field[0] & 0x80) != 0)
        {
            if ((field[0] & 0x40) != 0) return false; // negative
            value = field[0] & 0x3f;
            foreach (byte b in field[1..])
            {
                if (value > (long.MaxValue >> 8)) return false;
                value = (value << 8) | b;
            }
            return true;
        }
        var text = field;
        while (text.Length > 0 && text[0] == ' ') text = text[1..];
        int end = text.IndexOfAny((byte)0, (byte)' ');
        if (end >= 0) text = text[..end];
        foreach (byte b in text)
        {
            if (b is < (byte)'0' or > (byte)'7') return false;
            value = value * 8 + (b - '0');
        }
        return true;
    }

    public static string ReadText(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end >= 0 ? field[..end] : field);
    }

    private static (string Prefix, string Name) SplitName(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) <= 100) return ("", name);
        // ustar splits a long path at a slash into a 155-byte prefix and a 100-byte name.
        for (int slash = name.IndexOf('/'); slash > 0; slash = name.IndexOf('/', slash + 1))
        {
            var (prefix, rest) = (name[..slash], name[(slash + 1)..]);
            if (Encoding.UTF8.GetByteCount(prefix) <= 155 && Encoding.UTF8.GetByteCount(rest) <= 100 && rest.Length > 0) return (prefix, rest);
        }
        throw new ArgumentException($"tar entry name '{name}' is too long for a ustar header");
    }

    private static void WriteText(Span<byte> field, string text, string what, string entry)
    {
        if (Encoding.UTF8.GetByteCount(text) > field.Length)
            throw new ArgumentException($"tar entry '{entry}': {what} '{text}' is too long for a ustar header");
        Encoding.UTF8.GetBytes(text, field);
    }

    private static void WriteOctal(Span<byte> field, long value)
    {
        // Digits fill the field but its last byte, which stays NUL.
        var digits = Convert.ToString(value, 8).PadLeft(field.Length - 1, '0');
        Encoding.ASCII.GetBytes(digits, field);
    }

    private static void WriteSize(Span<byte> field, long size)
    {
        if (size <= MaxOctalSize)
        {
            WriteOctal(field, size);
            return;
        }
        field.Clear();
        field[0] = 0x80;
        BinaryPrimitives.WriteInt64BigEndian(field[^8..], size);
    }

    private static void WriteChecksum(Span<byte> block)
    {
        block.Slice(148, 8).Fill((byte)' ');
        int sum = 0;
        foreach (byte b in block) sum += b;
        // Six octal digits, NUL, space: the classic layout Go writes.
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0'), block.Slice(148, 6));
        block[154] = 0;
        block[155] = (byte)' ';
    }
}
