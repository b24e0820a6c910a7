namespace Tabula.Layers;

/// <summary>
/// Where a regular file's bytes are, without holding them: a segment of a spool file, a file in the build context,
/// a file inside a lower layer. Each open gives a fresh stream positioned at the first byte.
/// </summary>
internal interface IContentSource
{
    long Length { get; }

    ValueTask<Stream> OpenAsync(CancellationToken cancellationToken);
}
