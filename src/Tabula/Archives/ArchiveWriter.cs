namespace Tabula.Archives;

/// <summary>Writes images into an archive of any format Tabula writes.</summary>
internal static class ArchiveWriter
{
    public static Task WriteAsync(IReadOnlyList<ArchiveImage> images, ArchiveFormat format, Stream output, CancellationToken cancellationToken, string? spoolDirectory = null)
        => format switch
        {
            ArchiveFormat.Docker => DockerArchiveWriter.WriteAsync(images, output, ociLayout: false, cancellationToken, spoolDirectory),
            ArchiveFormat.DockerOci => DockerArchiveWriter.WriteAsync(images, output, ociLayout: true, cancellationToken, spoolDirectory),
            ArchiveFormat.Oci => OciArchiveWriter.WriteAsync(images, output, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown archive format"),
        };
}
