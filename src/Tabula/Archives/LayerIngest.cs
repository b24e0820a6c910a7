using Tabula.Content;
using Tabula.Images;
using Tabula.IO;
using Tabula.Layers;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>A layer stored in the store by <see cref="LayerIngest"/>, with its sizes when its tar could be read.</summary>
internal sealed record IngestedLayer(Descriptor Descriptor, LayerStats? Stats);

/// <summary>
/// Moves a layer into the store in one pass, verifying its digest and its diff ID on the way and counting its
/// <see cref="LayerStats"/> as the tar passes, so listing images never reads it again.
/// </summary>
internal static class LayerIngest
{
    /// <summary>Chunks a layer is moved in: large, so a 100 MB layer is a hundred reads and writes, not tens of thousands.</summary>
    private const int ChunkSize = 1 << 20;

    /// <summary>Stores the blob as it is: an uncompressed one with <see cref="StoreTarAsync"/>, else via <see cref="CopyCompressedAsync(ContentStore, Stream, Descriptor, Digest, string, CancellationToken)"/>.</summary>
    public static Task<IngestedLayer> CopyAsync(ContentStore store, ILayer layer, string what, CancellationToken cancellationToken)
        => MediaTypes.LayerCompressionOf(layer.MediaType) == LayerCompression.None && layer.Digest == layer.DiffId
            ? StoreTarAsync(store, layer, what, cancellationToken)
            : CopyCompressedAsync(store, layer, what, cancellationToken);

    /// <summary>
    /// Stores an uncompressed layer as it is. Its digest is its diff ID, so the writer's one hash checks both; the tar
    /// is read once, each chunk written to the store and its headers counted on the way.
    /// </summary>
    public static async Task<IngestedLayer> StoreTarAsync(ContentStore store, ILayer layer, string what, CancellationToken cancellationToken)
    {
        // An archive's layer is read unverified here: the writer's commit verifies the very same bytes.
        var archived = layer as ArchiveLayer;
        await using var blob = archived is not null ? archived.OpenUnverified() : await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
        await using var writer = store.BeginWrite();
        var (stats, notTar) = await CountWhileCopyingAsync(new TeeReadStream(blob, writer.Stream), cancellationToken).ConfigureAwait(false);
        if (notTar is not null)
        {
            await writer.VerifyAsync(layer.DiffId, layer.Size, archived?.What ?? what, cancellationToken).ConfigureAwait(false);
            throw NotALayer(what, notTar);
        }
        // A mismatch names the archive's entry, as reading it verified would have.
        await writer.CommitAsync(layer.DiffId, layer.Size, archived?.What ?? what, cancellationToken).ConfigureAwait(false);
        return new IngestedLayer(new Descriptor { MediaType = layer.MediaType, Digest = layer.Digest, Size = layer.Size }, stats);
    }

    /// <summary>
    /// Stores a compressed blob as it is. Its bytes are read once: they go to the store and through a decompressor whose
    /// output is hashed and counted, so the diff ID is checked before the blob becomes visible.
    /// </summary>
    public static async Task<IngestedLayer> CopyCompressedAsync(ContentStore store, ILayer layer, string what, CancellationToken cancellationToken)
    {
        await using var blob = await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
        return await CopyCompressedAsync(store, blob, new Descriptor { MediaType = layer.MediaType, Digest = layer.Digest, Size = layer.Size }, layer.DiffId, what, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The same from an open stream of the blob (a registry's, held to its size; the store checks its digest on commit),
    /// so that a pull checks each layer's diff ID and tar in the one pass that stores it.
    /// </summary>
    public static Task<IngestedLayer> CopyCompressedAsync(ContentStore store, Stream blob, Descriptor descriptor, Digest diffId, string what, CancellationToken cancellationToken)
        => CopyCompressedAsync(store, blob, descriptor, _ => Task.FromResult(diffId), what, cancellationToken);

    /// <summary>
    /// The same with the diff ID still to come (a pull's config, downloading beside the layer): it is asked for only once
    /// the whole tar has been hashed, and nothing is committed before it has been given and matched.
    /// </summary>
    public static async Task<IngestedLayer> CopyCompressedAsync(ContentStore store, Stream blob, Descriptor descriptor, Func<CancellationToken, Task<Digest>> diffIdOf, string what, CancellationToken cancellationToken)
    {
        await using var writer = store.BeginWrite();
        // Three threads, as ADD's fast path: one hashes and writes the blob behind the reader, one reads the source and
        // inflates ahead of this one, which hashes and counts the tar. A pull of one large layer is then bound by the
        // slowest of the three instead of their sum.
        await using var behind = new WriteBehindStream(writer.Stream, leaveOpen: true);
        var tee = new TeeReadStream(blob, behind);
        LayerStats? stats = null;
        Exception? fault = null;
        bool notCompressedData = false;
        // Disposing the read-ahead waits for its thread, so the tee is only read again after that.
        // The decompressor asks for 8 KiB at a time; served from a large buffer, the body is read (and teed) in large
        // reads instead of one network read, stall check and hand-off per 8 KiB.
        var compressed = new BufferedStream(new NonClosingStream(tee), ChunkSize);
        await using (var tar = new HashingStream(new ReadAheadStream(LayerDecompression.Open(compressed, MediaTypes.LayerCompressionOf(descriptor.MediaType)))))
        {
            try
            {
                Exception? notTar;
                (stats, notTar) = await CountWhileCopyingAsync(tar, cancellationToken).ConfigureAwait(false);
                var diffId = await diffIdOf(cancellationToken).ConfigureAwait(false);
                fault = tar.Digest != diffId ? new DigestMismatchException($"{what} (uncompressed)", diffId, tar.Digest.ToString())
                    : notTar is not null ? NotALayer(what, notTar) : null;
            }
            catch (Exception e) when (CorruptData.IsDecompressionFailure(e))
            {
                fault = e;
                notCompressedData = true;
            }
        }
        // Whatever the decompressor did not need (padding, trailing members) still belongs to the blob.
        await tee.CopyToAsync(Stream.Null, 1 << 16, cancellationToken).ConfigureAwait(false);
        await behind.CompleteAsync(cancellationToken).ConfigureAwait(false);
        if (fault is not null)
        {
            // Bytes that are not the blob asked for are the more basic fault (a corrupt transfer): said first.
            await writer.VerifyAsync(descriptor.Digest, descriptor.Size, what, cancellationToken).ConfigureAwait(false);
            throw notCompressedData ? await CorruptData.ExplainAsync(blob, what, fault, cancellationToken).ConfigureAwait(false) : fault;
        }
        await writer.CommitAsync(descriptor.Digest, descriptor.Size, what, cancellationToken).ConfigureAwait(false);
        return new IngestedLayer(descriptor, stats);
    }

    /// <summary>
    /// Stores an uncompressed layer gzip-compressed: tar → sha256 (diff ID, checked) → gzip → sha256 and count (the
    /// blob's digest and size) → store, one streaming pass; the tar's stats are counted on the way.
    /// </summary>
    public static async Task<IngestedLayer> CompressAsync(ContentStore store, ILayer layer, string mediaType, string what, CancellationToken cancellationToken)
    {
        await using var tar = await layer.OpenUncompressedAsync(cancellationToken).ConfigureAwait(false);
        await using var writer = store.BeginWrite();
        LayerStats? stats;
        Exception? notTar;
        await using (var hashing = new HashingStream(tar, leaveOpen: true))
        {
            await using (var gzip = ArchiveStreams.OpenCompressing(writer.Stream, LayerCompressionSettings.Gzip(), leaveOpen: true))
                (stats, notTar) = await CountWhileCopyingAsync(new TeeReadStream(hashing, gzip), cancellationToken).ConfigureAwait(false);
            if (hashing.Digest != layer.DiffId) throw new DigestMismatchException($"{what} (uncompressed)", layer.DiffId, hashing.Digest.ToString());
        }
        if (notTar is not null) throw NotALayer(what, notTar);
        var (digest, size) = await writer.CommitAsync(what: what, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new IngestedLayer(new Descriptor { MediaType = mediaType, Digest = digest, Size = size }, stats);
    }

    /// <summary>
    /// The gzip form of an uncompressed layer, made once per store: a blob remembered for its diff ID is reused while the
    /// store has it, or while <paramref name="availableElsewhere"/> says where it is going has it; otherwise the layer is
    /// compressed (deterministically: the same tar gives the same blob on any machine) and remembered.
    /// </summary>
    public static async Task<(Descriptor Descriptor, bool Compressed)> CompressOnceAsync(ContentStore store, ILayer layer, bool oci, string what,
        Func<Descriptor, CancellationToken, Task<bool>>? availableElsewhere, CancellationToken cancellationToken)
    {
        var mediaType = MediaTypes.LayerMediaType(LayerCompression.Gzip, oci);
        var cache = new CompressedLayerCache(store);
        if (cache.TryGet(layer.DiffId, LayerCompression.Gzip) is var (digest, size))
        {
            var known = new Descriptor { MediaType = mediaType, Digest = digest, Size = size };
            if (store.SizeOf(digest) == size) return (known, false);
            if (availableElsewhere is not null && await availableElsewhere(known, cancellationToken).ConfigureAwait(false)) return (known, false);
        }
        var made = await CompressAsync(store, layer, mediaType, what, cancellationToken).ConfigureAwait(false);
        cache.Set(layer.DiffId, LayerCompression.Gzip, made.Descriptor.Digest, made.Descriptor.Size);
        if (made.Stats is { } stats) new LayerStatsCache(store).Set(made.Descriptor.Digest, stats);
        return (made.Descriptor, true);
    }

    /// <summary>
    /// Reads <paramref name="tar"/> to its end in large chunks, counting its stats. A tar that cannot be parsed is still
    /// read to its end (its digest is checked first: a wrong layer is the more basic fault) and comes back as the
    /// reason it is no layer; a failure of the stream itself (a decompressor's, say) is the caller's.
    /// </summary>
    private static async Task<(LayerStats? Stats, Exception? NotTar)> CountWhileCopyingAsync(Stream tar, CancellationToken cancellationToken)
    {
        var watched = new FailureWatchingStream(tar);
        var buffered = new BufferedStream(watched, ChunkSize);
        try
        {
            return (await LayerStatsCounter.CountAsync(buffered, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception e) when (watched.Failure is null && e is InvalidDataException or FormatException or ArgumentException or EndOfStreamException or OverflowException)
        {
            await buffered.CopyToAsync(Stream.Null, ChunkSize, cancellationToken).ConfigureAwait(false);
            return (null, e);
        }
    }

    /// <summary>A layer whose bytes are what was promised but not a tar: refused, as docker refuses it, before it is stored.</summary>
    private static LayerFormatException NotALayer(string what, Exception reason) =>
        new($"{what} is not a valid layer tar: {reason.Message}; nothing was stored", reason);

    /// <summary>Remembers whether its source failed, to tell a broken stream from a tar the parser did not like.</summary>
    private sealed class FailureWatchingStream(Stream source) : ForwardReadStream
    {
        public Exception? Failure { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            try { return source.Read(buffer); }
            catch (Exception e) { Failure = e; throw; }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try { return await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false); }
            catch (Exception e) { Failure = e; throw; }
        }
    }
}
