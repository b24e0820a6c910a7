namespace Tabula.Layers;

/// <summary>
/// The content of the tar entry a <see cref="TarArchiveReader"/> is at: what a writer that applies a layer as it
/// reads it gives <see cref="RootfsWriter.WriteFileAsync(string, LayerEntry, IContentSource?, bool?, CancellationToken)"/>.
/// Valid until the reader moves on.
/// </summary>
internal sealed class TarEntryContent(TarArchiveReader reader, long length) : IContentSource
{
    public long Length => length;

    public ValueTask<Stream> OpenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(reader.OpenContent());
}
