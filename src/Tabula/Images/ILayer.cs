using Tabula.Oci;

namespace Tabula.Images;

/// <summary>
/// One layer of an image. <see cref="Digest"/> names the blob as stored or sent (usually compressed);
/// <see cref="DiffId"/> names the uncompressed tar. Streams are opened lazily and verified as they are read.
/// </summary>
internal interface ILayer
{
    Digest Digest { get; }
    Digest DiffId { get; }
    long Size { get; }
    string MediaType { get; }

    Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken);

    /// <summary>The layer tar. Implementations decompress only when called, never earlier.</summary>
    Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken);
}
