using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>An image with the names it carries in (or into) an archive; no names means an unnamed image.</summary>
internal sealed record ArchiveImage(IImage Image, IReadOnlyList<ImageReference> Names)
{
    /// <summary>
    /// The manifest was made up by the reader (a docker archive carries none): its layers may be stored in another
    /// form (compressed) and the manifest made again, where an archived manifest's blobs must stay untouched.
    /// </summary>
    internal bool ManifestSynthesized { get; init; }
}

/// <summary>The archive layouts Tabula writes and reads.</summary>
public enum ArchiveFormat
{
    /// <summary>docker-archive as docker 20.10 writes it: v1 layer folders with uncompressed layer.tar, manifest.json, repositories.</summary>
    Docker,

    /// <summary>docker-archive as Docker 25+ writes it (<c>docker save</c>): an OCI layout plus manifest.json and repositories.</summary>
    DockerOci,

    /// <summary>oci-archive: a tar of a plain OCI image layout.</summary>
    Oci,
}
