namespace Tabula.Sbom;

/// <summary>The SBOM formats written: SPDX 2.3 JSON and CycloneDX 1.6 JSON.</summary>
internal enum SbomFormat
{
    SpdxJson,
    CycloneDxJson,
}

/// <summary>Names and media types of the formats (the media types are the artifact types of an attached SBOM).</summary>
internal static class SbomFormats
{
    public const string SpdxMediaType = "application/spdx+json";
    public const string CycloneDxMediaType = "application/vnd.cyclonedx+json";

    public static string Name(this SbomFormat format) => format == SbomFormat.SpdxJson ? "spdx-json" : "cyclonedx-json";

    public static string MediaType(this SbomFormat format) => format == SbomFormat.SpdxJson ? SpdxMediaType : CycloneDxMediaType;

    public static bool TryParse(string? text, out SbomFormat format)
    {
        (bool ok, format) = text?.Trim().ToLowerInvariant() switch
        {
            "spdx-json" or "spdx" => (true, SbomFormat.SpdxJson),
            "cyclonedx-json" or "cyclonedx" => (true, SbomFormat.CycloneDxJson),
            _ => (false, SbomFormat.SpdxJson),
        };
        return ok;
    }

    public static SbomFormat? FromMediaType(string? mediaType) => mediaType switch
    {
        SpdxMediaType => SbomFormat.SpdxJson,
        CycloneDxMediaType => SbomFormat.CycloneDxJson,
        _ => null,
    };
}
