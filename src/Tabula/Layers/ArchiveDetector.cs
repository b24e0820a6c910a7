using System.Buffers;
using System.Text;
using Tabula.Images;
using Tabula.IO;

namespace Tabula.Layers;

/// <summary>Recognises compressed and plain tars from their first bytes, as docker and BuildKit do for <c>ADD</c>.</summary>
internal static class ArchiveDetector
{
    /// <summary>Enough leading bytes to recognise every supported compression.</summary>
    public const int MagicLength = 6;

    public static ArchiveCompression DetectCompression(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("BZh"u8)) return ArchiveCompression.Bzip2;
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00])) return ArchiveCompression.Xz;
        return ArchiveStreams.ToArchiveCompression(LayerDecompression.Sniff(head));
    }

    /// <summary>
    /// Reads the first bytes of a stream that need not seek, detects its compression and returns a stream that
    /// reads those bytes again followed by the rest.
    /// </summary>
    public static async Task<(ArchiveCompression Compression, Stream Content)> SniffAsync(Stream archive, CancellationToken cancellationToken)
    {
        var head = new byte[MagicLength];
        int length = await archive.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return (DetectCompression(head.AsSpan(0, length)), new PrefixedReadStream(head.AsMemory(0, length), archive));
    }

    /// <summary>
    /// Detects the compression of the stream at its current position and whether it decompresses to a tar
    /// (its first header has a valid checksum, as Go's <c>tar.Reader.Next</c> demands: an empty archive is not one).
    /// The stream must be seekable; its position is restored.
    /// </summary>
    public static async Task<ArchiveKind> DetectAsync(Stream archive, CancellationToken cancellationToken)
    {
        if (!archive.CanSeek) throw new ArgumentException("archive detection needs a seekable stream", nameof(archive));
        long start = archive.Position;
        try
        {
            var magic = new byte[MagicLength];
            int magicLength = await archive.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            var compression = DetectCompression(magic.AsSpan(0, magicLength));
            archive.Position = start;

            var block = ArrayPool<byte>.Shared.Rent(TarHeaderEncoder.BlockSize);
            try
            {
                int read;
                try
                {
                    await using var content = ArchiveStreams.OpenDecompressing(archive, compression, leaveOpen: true);
                    read = await content.ReadAtLeastAsync(block.AsMemory(0, TarHeaderEncoder.BlockSize), TarHeaderEncoder.BlockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is InvalidDataException or IOException or FormatException || e.GetType().Namespace?.StartsWith("SharpCompress", StringComparison.Ordinal) == true || e is ZstdSharp.ZstdException)
                {
                    // Corrupt compressed data: recognised by its magic, but not a usable tar.
                    return new ArchiveKind(compression, IsTar: false);
                }
                return new ArchiveKind(compression, read == TarHeaderEncoder.BlockSize && IsTarHeader(block.AsSpan(0, TarHeaderEncoder.BlockSize)));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(block);
            }
        }
        finally
        {
            archive.Position = start;
        }
    }

    /// <summary>
    /// True when a 512-byte block is a tar header: not all zeros, and its checksum field matches the unsigned or
    /// signed sum of its bytes (with the field itself counted as spaces), as Go's reader checks.
    /// </summary>
    public static bool IsTarHeader(ReadOnlySpan<byte> block)
    {
        if (block.Length < TarHeaderEncoder.BlockSize || !block[..TarHeaderEncoder.BlockSize].ContainsAnyExcept((byte)0)) return false;
        var field = block.Slice(148, 8);
        var digits = field.Trim(" \0"u8);
        if (digits.IsEmpty) return false;
        long recorded = 0;
        foreach (byte digit in digits)
        {
            if (digit is < (byte)'0' or > (byte)'7') return false;
            recorded = recorded * 8 + (digit - '0');
        }
        long unsigned = 0, signed = 0;
        for (int i = 0; i < TarHeaderEncoder.BlockSize; i++)
        {
            byte b = i is >= 148 and < 156 ? (byte)' ' : block[i];
            unsigned += b;
            signed += (sbyte)b;
        }
        return recorded == unsigned || recorded == signed;
    }

    /// <summary>A short human name for messages ("gzip", "plain tar"…).</summary>
    public static string Describe(ArchiveKind kind)
    {
        var text = new StringBuilder(kind.Compression == ArchiveCompression.None ? "uncompressed" : kind.Compression.ToString().ToLowerInvariant());
        text.Append(kind.IsTar ? " tar" : " data that is not a tar");
        return text.ToString();
    }
}
