namespace Tabula.Layers;

/// <summary>
/// A file on disk (in the build context, say); its length is taken when the source is made. A tree holds one per
/// file until its layer is written, so the path may come in two parts: the folder, one string shared by every file
/// in it, and the name, which the walk that found the file already holds; a 300,000-file COPY then keeps no full
/// path per file.
/// </summary>
internal sealed record DiskFileContent(string Folder, string? Name, long Length) : IContentSource
{
    public DiskFileContent(string filePath, long length) : this(filePath, null, length) { }

    public static DiskFileContent Of(string filePath) => new(filePath, new FileInfo(filePath).Length);

    public string FilePath => Name is null ? Folder : Folder + "/" + Name;

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
