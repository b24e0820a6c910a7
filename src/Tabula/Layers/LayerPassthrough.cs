using System.IO.Compression;
using Tabula.IO;
using Tabula.Oci;

namespace Tabula.Layers;

/// <summary>
/// The fast path for <c>ADD archive /</c> onto an empty base (DESIGN §5): a gzip tar's bytes are copied to the
/// destination untouched while a tee of them is decompressed to compute the diffID and check eligibility; a plain
/// tar is the layer itself and is compressed in the same pass. One read of the input either way.
/// </summary>
internal static class LayerPassthrough
{
    /// <summary>
    /// Streams <paramref name="archive"/> (from its current position) into <paramref name="destination"/> and checks it.
    /// Only call this when the base is empty and the destination is the image root; other compressions are not
    /// eligible (their bytes cannot be a layer blob). Stops reading at the first reason the archive is not eligible.
    /// </summary>
    /// <param name="plainTarCompression">How to compress a plain tar; a gzip archive keeps its own compression.</param>
    public static async Task<PassthroughResult> CopyAsync(Stream archive, Stream destination, EntryRewrites rewrites,
        LayerCompressionSettings plainTarCompression, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(destination);
        var (compression, input) = await ArchiveDetector.SniffAsync(archive, cancellationToken).ConfigureAwait(false);
        return compression switch
        {
            ArchiveCompression.Gzip => await CopyGzipAsync(input, destination, rewrites, cancellationToken).ConfigureAwait(false),
            ArchiveCompression.None => await CompressPlainTarAsync(input, destination, rewrites, plainTarCompression, cancellationToken).ConfigureAwait(false),
            _ => new PassthroughResult(null, $"a {compression.ToString().ToLowerInvariant()} archive cannot be a layer blob as it is"),
        };
    }

    private static async Task<PassthroughResult> CopyGzipAsync(Stream input, Stream destination, EntryRewrites rewrites, CancellationToken cancellationToken)
    {
        var blob = Sha256Stream.Over(destination, out bool ownsBlob);
        using var owned = ownsBlob ? blob : null;
        await using var behind = new WriteBehindStream(blob, leaveOpen: true);
        await using var tail = new TailKeepingWriteStream(behind, GzipTrailerLength);
        await using var tee = new TeeReadStream(input, tail);
        await using var gunzip = new GZipStream(tee, CompressionMode.Decompress, leaveOpen: true);
        Digest diffId;
        long tarSize;
        // Three threads: one reads the file and inflates, one hashes and writes the blob behind it, and this one hashes
        // and checks the tar. Disposing the read-ahead waits for its thread, so the tee is only touched again after that.
        await using (var ahead = new ReadAheadStream(gunzip, leaveOpen: true))
        using (var tar = new Sha256Stream(ahead, leaveOpen: true))
        {
            try
            {
                if (await CheckAsync(tar, rewrites, cancellationToken).ConfigureAwait(false) is { } reason) return new PassthroughResult(null, reason);
            }
            catch (InvalidDataException e)
            {
                return new PassthroughResult(null, $"the gzip stream is corrupt: {e.Message}");
            }
            diffId = Digest.FromSha256Hash(tar.Hash);
            tarSize = tar.BytesPassed;
        }
        // Bytes after the last gzip member make Go's gzip reader (docker, containerd) fail on the blob. GZipStream
        // skips them silently, so the blob must end in the trailer of what was decompressed: ISIZE = size mod 2^32.
        if (await HasMoreAsync(tee, cancellationToken).ConfigureAwait(false) || !EndsWithGzipTrailerFor(tail.Tail, tarSize))
            return new PassthroughResult(null, "there are bytes after the end of the gzip stream (or it has several members)");
        await behind.CompleteAsync(cancellationToken).ConfigureAwait(false);
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new PassthroughResult(new WrittenLayer(diffId, Digest.FromSha256Hash(blob.Hash), blob.BytesPassed, tarSize, LayerCompression.Gzip), null);
    }

    private static async Task<PassthroughResult> CompressPlainTarAsync(Stream input, Stream destination, EntryRewrites rewrites,
        LayerCompressionSettings compression, CancellationToken cancellationToken)
    {
        await using var layer = new LayerWriter(destination, compression);
        await using var tee = new TeeReadStream(input, layer);
        if (await CheckAsync(tee, rewrites, cancellationToken).ConfigureAwait(false) is { } reason) return new PassthroughResult(null, reason);
        return new PassthroughResult(await layer.CompleteAsync(cancellationToken).ConfigureAwait(false), null);
    }

    /// <summary>Reads every header and every byte (so that hashes see the whole stream) and returns the first reason to refuse.</summary>
    private static async Task<string?> CheckAsync(Stream tar, EntryRewrites rewrites, CancellationToken cancellationToken)
    {
        var reader = new TarArchiveReader(tar);
        var checker = new PassthroughChecker(rewrites);
        int entries = 0;
        try
        {
            while (await reader.NextAsync(cancellationToken).ConfigureAwait(false) is { } entry)
            {
                entries++;
                if (checker.Check(entry) is { } reason) return reason;
            }
        }
        catch (LayerFormatException e)
        {
            return e.Message;
        }
        if (entries == 0) return "the archive has no entries";
        await reader.DrainAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }

    private const int GzipTrailerLength = 8;

    private static bool EndsWithGzipTrailerFor(ReadOnlySpan<byte> tail, long uncompressedSize)
        => tail.Length == GzipTrailerLength && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]) == (uint)uncompressedSize;

    private static async Task<bool> HasMoreAsync(Stream stream, CancellationToken cancellationToken)
    {
        var probe = new byte[1];
        return await stream.ReadAsync(probe, cancellationToken).ConfigureAwait(false) > 0;
    }
}
