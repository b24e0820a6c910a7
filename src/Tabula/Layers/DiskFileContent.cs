namespace Tabula.Layers;

/// <summary>A file on disk (in the build context, say); its length is taken when the source is made.</summary>
internal sealed record DiskFileContent(string FilePath, long Length) : IContentSource
{
    public static DiskFileContent Of(string filePath) => new(filePath, new FileInfo(filePath).Length);

    public ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
        => ValueTask.FromResult<Stream>(new FileStream(FilePath, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            // Readers copy through their own pooled buffers; one more per file would be garbage by the thousand.
            BufferSize = 0,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        }));
}
