using Tabula.Images;

namespace Tabula.Archives;

/// <summary>Writes images into an archive of any format Tabula writes.</summary>
internal static class ArchiveWriter
{
    /// <param name="preserveDigests">
    /// Keep each manifest's bytes in an oci-archive (else it gets OCI media types, as skopeo writes one); refused for
    /// the legacy docker-archive, which holds no manifest. The Docker 25+ layout always keeps them, as docker does.
    /// </param>
    public static Task WriteAsync(IReadOnlyList<ArchiveImage> images, ArchiveFormat format, Stream output, CancellationToken cancellationToken, string? spoolDirectory = null, bool preserveDigests = false)
        => format switch
        {
            ArchiveFormat.Docker when preserveDigests => throw new MediaTypeConversionException(DigestPreservation.LegacyDockerArchive),
            ArchiveFormat.Docker => DockerArchiveWriter.WriteAsync(images, output, ociLayout: false, cancellationToken, spoolDirectory),
            ArchiveFormat.DockerOci => DockerArchiveWriter.WriteAsync(images, output, ociLayout: true, cancellationToken, spoolDirectory),
            ArchiveFormat.Oci => OciArchiveWriter.WriteAsync(preserveDigests ? images : images.Select(i => i with { Image = OciConversion.ToOci(i.Image) }).ToList(), output, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown archive format"),
        };
}
