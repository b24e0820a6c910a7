using System.Reflection;
using Tabula.Images;

namespace Tabula.Sbom;

/// <summary>
/// <c>tabula sbom</c>: the packages an image has installed, as an SPDX or CycloneDX document. Every layer is read
/// once as a stream; the document's time is the epoch given (SOURCE_DATE_EPOCH), else the image's
/// creation time, so the same image gives the same bytes.
/// </summary>
internal static class ImageSbom
{
    public static async Task<byte[]> CreateAsync(IImage image, string name, SbomFormat format, DateTimeOffset? epoch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        var inventory = await ImageInventory.ReadAsync(image, cancellationToken).ConfigureAwait(false);
        var subject = new SbomSubject(name, image.ConfigDigest, Time(image, epoch), ToolVersion);
        return SbomWriter.Write(format, subject, inventory);
    }

    /// <summary>The time an SBOM of the image carries: the epoch when given, else the image's creation time (else 1970).</summary>
    public static DateTimeOffset Time(IImage image, DateTimeOffset? epoch) => epoch ?? image?.Config.Created ?? DateTimeOffset.UnixEpoch;

    /// <summary>Tabula's version without its build metadata (<c>+commit</c>): one release writes one document for one image.</summary>
    internal static string ToolVersion { get; } = VersionOf(typeof(ImageSbom).Assembly);

    private static string VersionOf(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "0";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
