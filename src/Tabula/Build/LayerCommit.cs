using Tabula.Archives;
using Tabula.Content;
using Tabula.Images;
using Tabula.Layers;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Build;

/// <summary>How every build step (ADD, COPY, WORKDIR, RUN) turns its file-tree changes into a layer in the store.</summary>
internal static class LayerCommit
{
    public static bool OciMediaTypes(BuildOptions options) => options.OciMediaTypes || options.Compression == LayerCompression.Zstd;

    public static LayerCompressionSettings Settings(BuildOptions options) => options.Compression switch
    {
        LayerCompression.Gzip => LayerCompressionSettings.Gzip(),
        LayerCompression.Zstd => LayerCompressionSettings.Zstd(),
        _ => LayerCompressionSettings.None,
    };

    /// <summary>Emits the tree's changes in one pass into the store and remembers the layer's sizes, so listing never re-reads it.</summary>
    public static Task<ILayer> CommitAsync(ImageStore store, BuildOptions options, FileTree upper, CancellationToken cancellationToken)
        => CommitTarAsync(store, options, (layer, token) => LayerEmitter.WriteLayerAsync(upper, layer, token), cancellationToken);

    /// <summary>The layer of an overlay's upper directory (a RUN's changes), written in one pass as <see cref="CommitAsync"/> writes a tree's.</summary>
    /// <param name="rootless">The overlay was mounted in a user namespace (see <see cref="Runtime.Snapshots.UpperLayer"/>).</param>
    public static Task<ILayer> CommitDirectoryAsync(ImageStore store, BuildOptions options, string upperDirectory, Runtime.Snapshots.SnapshotView lower, bool rootless, CancellationToken cancellationToken)
        => CommitTarAsync(store, options, (layer, token) => Runtime.Snapshots.UpperLayer.WriteAsync(upperDirectory, lower, layer, options.Timestamp, rootless, token), cancellationToken);

    /// <summary>
    /// A layer whose tar <paramref name="writeTar"/> writes (end marker included) into the stream it is given, which
    /// hashes and compresses it on its way into the store; <paramref name="writeTar"/> returns Docker's SIZE of it.
    /// </summary>
    public static async Task<ILayer> CommitTarAsync(ImageStore store, BuildOptions options, Func<Stream, CancellationToken, Task<long>> writeTar, CancellationToken cancellationToken)
    {
        await using var writer = store.Content.BeginWrite();
        WrittenLayer written;
        await using (var layer = new LayerWriter(writer.Stream, Settings(options)))
        {
            long files = await writeTar(layer, cancellationToken).ConfigureAwait(false);
            written = await layer.CompleteAsync(cancellationToken).ConfigureAwait(false) with { FilesSize = files };
        }
        return await PublishAsync(store, options, writer, written, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Commits a written blob as a layer of the store.</summary>
    public static async Task<ILayer> PublishAsync(ImageStore store, BuildOptions options, BlobWriter writer, WrittenLayer written, CancellationToken cancellationToken)
    {
        await writer.CommitAsync(written.Digest, written.Size, "layer", cancellationToken).ConfigureAwait(false);
        if (written.FilesSize is { } files) store.LayerStats.Set(written.Digest, new LayerStats(written.UncompressedSize, files));
        return new StoreLayer(store.Content, written.ToDescriptor(OciMediaTypes(options)), written.DiffId);
    }
}
