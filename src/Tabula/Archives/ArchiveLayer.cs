using Tabula.Archives.Tar;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>
/// A layer whose blob is an entry of an archive. Both streams verify as they are read: the blob against its digest
/// and size, the tar against the diff ID. Valid while the <see cref="ArchiveReader"/> it came from is open.
/// </summary>
internal sealed class ArchiveLayer(ArchiveFile archive, string path, Descriptor descriptor, Digest diffId) : ILayer
{
    public Digest Digest => descriptor.Digest;
    public Digest DiffId => diffId;
    public long Size => descriptor.Size;
    public string MediaType => descriptor.MediaType;
    public string Path => path;

    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken)
        => Task.FromResult<Stream>(new VerifyingReadStream(archive.OpenRead(path, What), Digest, Size, What));

    /// <summary>The blob's bytes as the archive holds them, unverified: for a caller that hashes them anyway.</summary>
    internal Stream OpenUnverified() => archive.OpenRead(path, What);

    public Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken)
    {
        var blob = new VerifyingReadStream(archive.OpenRead(path, What), Digest, Size, What);
        var tar = LayerDecompression.Open(blob, MediaTypes.LayerCompressionOf(MediaType));
        return Task.FromResult<Stream>(new VerifyingReadStream(tar, diffId, null, $"{What} (uncompressed)"));
    }

    internal string What => $"layer {path} of {archive.DisplayName}";
}
