using System.Buffers.Binary;
using System.IO.Compression;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.Xz;
using Tabula.Layers;

namespace Tabula.Tests.Layers;

/// <summary>Compresses test data in every format ADD recognises, with libraries only (no external tools).</summary>
internal static class CompressedSamples
{
    public static byte[] Compress(byte[] data, ArchiveCompression compression) => compression switch
    {
        ArchiveCompression.None => data,
        ArchiveCompression.Gzip => Gzip(data),
        ArchiveCompression.Bzip2 => Bzip2(data),
        ArchiveCompression.Xz => Xz(data),
        ArchiveCompression.Zstd => ZstdSharpCompress(data),
        _ => throw new ArgumentOutOfRangeException(nameof(compression)),
    };

    public static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(data);
        return output.ToArray();
    }

    private static byte[] Bzip2(byte[] data)
    {
        var output = new MemoryStream();
        using (var bzip2 = BZip2Stream.Create(output, SharpCompress.Compressors.CompressionMode.Compress, false, leaveOpen: true, tolerateTruncatedStream: false))
            bzip2.Write(data);
        return output.ToArray();
    }

    private static byte[] ZstdSharpCompress(byte[] data)
    {
        using var compressor = new ZstdSharp.Compressor(3);
        return compressor.Wrap(data).ToArray();
    }

    /// <summary>
    /// A valid .xz file whose one block holds LZMA2 chunks stored uncompressed: SharpCompress reads xz but
    /// cannot write it, and the container format is simple enough to build by hand.
    /// </summary>
    private static byte[] Xz(byte[] data)
    {
        var output = new MemoryStream();
        byte[] streamFlags = [0x00, 0x01]; // check type CRC32
        output.Write([0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00]);
        output.Write(streamFlags);
        WriteCrc32(output, streamFlags);

        // Block header: size byte, flags (one filter, no sizes), LZMA2 filter (id 0x21, 1 property byte, dictionary 4 KiB), padding, CRC32.
        byte[] blockHeader = [0x02, 0x00, 0x21, 0x01, 0x00, 0x00, 0x00, 0x00];
        output.Write(blockHeader);
        WriteCrc32(output, blockHeader);

        long compressedStart = output.Position;
        for (int offset = 0, chunk = 0; offset < data.Length; offset += 65536, chunk++)
        {
            int length = Math.Min(65536, data.Length - offset);
            output.WriteByte(chunk == 0 ? (byte)0x01 : (byte)0x02); // stored chunk, the first resetting the dictionary
            output.WriteByte((byte)((length - 1) >> 8));
            output.WriteByte((byte)(length - 1));
            output.Write(data, offset, length);
        }
        output.WriteByte(0x00); // end of LZMA2 data
        long compressedSize = output.Position - compressedStart;
        while (output.Position % 4 != 0) output.WriteByte(0);
        WriteCrc32(output, data);

        var index = new MemoryStream();
        index.WriteByte(0x00);
        WriteVarint(index, 1);
        WriteVarint(index, (ulong)(blockHeader.Length + 4 + compressedSize + 4)); // unpadded size
        WriteVarint(index, (ulong)data.Length);
        while (index.Position % 4 != 0) index.WriteByte(0);
        byte[] indexBytes = index.ToArray();
        output.Write(indexBytes);
        WriteCrc32(output, indexBytes);

        byte[] footer = new byte[6];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, (uint)((indexBytes.Length + 4) / 4 - 1));
        streamFlags.CopyTo(footer, 4);
        WriteCrc32(output, footer);
        output.Write(footer);
        output.Write("YZ"u8);
        return output.ToArray();
    }

    private static void WriteCrc32(Stream output, byte[] data)
    {
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32.Compute(data));
        output.Write(crc);
    }

    private static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        output.WriteByte((byte)value);
    }
}
