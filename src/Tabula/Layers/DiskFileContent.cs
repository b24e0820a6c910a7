using Tabula.IO;

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

    // Read by blocking reads: the tar writer reads one file at a time, and a hop through the thread pool per read
    // kept the compressing threads waiting for it.
    public ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
        => ValueTask.FromResult<Stream>(BlockingFileReadStream.Open(FilePath));
}
