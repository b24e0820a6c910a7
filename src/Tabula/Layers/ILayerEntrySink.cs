namespace Tabula.Layers;

/// <summary>Where <see cref="LayerEmitter"/> puts the entries of a layer, in layer order: a tar, or a directory on disk.</summary>
internal interface ILayerEntrySink
{
    /// <summary><paramref name="content"/> is given for a regular file with bytes, null otherwise.</summary>
    Task WriteAsync(LayerEntry entry, IContentSource? content, CancellationToken cancellationToken);
}
