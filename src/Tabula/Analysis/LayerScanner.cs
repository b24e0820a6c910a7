using System.Buffers;
using System.Security.Cryptography;
using Tabula.Layers;

namespace Tabula.Analysis;

/// <summary>
/// Reads one uncompressed layer tar once, as a stream: each entry is applied to the <see cref="FileHistory"/> as it
/// passes and each file's content is hashed on the way (nothing of it is kept).
/// </summary>
internal sealed class LayerScanner(FileHistory history, DuplicateIndex? duplicates) : IDisposable
{
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>What the scan of one layer found.</summary>
    public sealed record Result(long TarBytes, long FilesSize, int FileCount, LayerChanges Changes);

    public async Task<Result> ScanAsync(Stream uncompressedTar, int layer, CancellationToken cancellationToken)
    {
        var reader = new TarArchiveReader(uncompressedTar);
        var changes = new LayerChanges();
        long filesSize = 0;
        int files = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        var hash = new byte[32];
        try
        {
            while (await reader.NextAsync(cancellationToken).ConfigureAwait(false) is { } header)
            {
                string path = LayerPath.Clean(header.Name);
                if (path.Length == 0) continue;
                if (LayerPath.IsWhiteout(path, out var directory, out var deleted))
                {
                    if (deleted is null) history.MakeOpaque(layer, directory, changes);
                    else history.Delete(deleted, changes);
                    continue;
                }
                if (header.Type is not { } type)
                    throw new LayerFormatException($"layer {layer + 1}: '{header.Name}' is of a kind layers do not hold (type flag '{header.TypeFlag}')") { EntryPath = path };
                var content = default(ContentHash);
                if (type == LayerEntryType.RegularFile)
                {
                    var stream = reader.OpenContent();
                    int read;
                    while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0) _sha256.AppendData(buffer, 0, read);
                    _sha256.GetHashAndReset(hash);
                    content = ContentHash.FromBytes(hash);
                }
                if (type != LayerEntryType.Directory)
                {
                    files++;
                    filesSize += header.Size;
                }
                // A hardlink names a layer path; kept clean so that it compares with the path it points at.
                string link = type == LayerEntryType.Hardlink ? LayerPath.Clean(header.LinkName) : header.LinkName;
                var entry = new ScannedEntry(path, type, header.Mode, header.Uid, header.Gid, header.Size, link, content);
                var node = history.Write(layer, entry, changes);
                if (type == LayerEntryType.RegularFile) duplicates?.Add(content, header.Size, node, layer);
            }
            await reader.DrainAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new Result(reader.Position, filesSize, files, changes);
    }

    public void Dispose() => _sha256.Dispose();
}
