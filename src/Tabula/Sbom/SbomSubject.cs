using Tabula.Oci;

namespace Tabula.Sbom;

/// <summary>
/// The image an SBOM describes: the name it was asked by, its image ID (config digest; the same in every
/// transport and compression), and the time the document carries (SOURCE_DATE_EPOCH, else the image's creation time).
/// </summary>
internal sealed record SbomSubject(string Name, Digest ImageId, DateTimeOffset Created, string ToolVersion)
{
    public string Timestamp => Created.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
