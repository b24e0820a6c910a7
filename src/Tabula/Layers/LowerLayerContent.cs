namespace Tabula.Layers;

/// <summary>Opens the content of a file inside a lower layer; the build layer knows where layers are stored.</summary>
internal delegate ValueTask<Stream> LowerLayerOpener(LowerLayerContent content, CancellationToken cancellationToken);

/// <summary>
/// A file's content inside lower layer <see cref="LayerIndex"/> (0 = the base's first layer): its path there and the
/// offset of its bytes in that layer's uncompressed tar, so an opener can seek straight to them.
/// </summary>
internal sealed class LowerLayerContent(int layerIndex, string path, long dataOffset, long length, LowerLayerOpener opener) : IContentSource
{
    public int LayerIndex { get; } = layerIndex;
    public string Path { get; } = path;
    public long DataOffset { get; } = dataOffset;
    public long Length { get; } = length;

    public ValueTask<Stream> OpenAsync(CancellationToken cancellationToken) => opener(this, cancellationToken);
}
