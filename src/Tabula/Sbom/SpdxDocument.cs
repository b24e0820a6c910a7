using System.Text.Json.Serialization;

namespace Tabula.Sbom;

/// <summary>An SPDX 2.3 document (JSON), with the fields Tabula writes, in the order the spec lists them.</summary>
internal sealed record SpdxDocument
{
    [JsonPropertyName("spdxVersion")] public string SpdxVersion { get; init; } = "SPDX-2.3";
    [JsonPropertyName("dataLicense")] public string DataLicense { get; init; } = "CC0-1.0";
    [JsonPropertyName("SPDXID")] public string SpdxId { get; init; } = "SPDXRef-DOCUMENT";
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("documentNamespace")] public required string DocumentNamespace { get; init; }
    [JsonPropertyName("creationInfo")] public required SpdxCreationInfo CreationInfo { get; init; }
    [JsonPropertyName("packages")] public required IReadOnlyList<SpdxPackage> Packages { get; init; }
    [JsonPropertyName("relationships")] public required IReadOnlyList<SpdxRelationship> Relationships { get; init; }
    [JsonPropertyName("hasExtractedLicensingInfos")] public IReadOnlyList<SpdxExtractedLicense>? ExtractedLicenses { get; init; }
}

internal sealed record SpdxCreationInfo(
    [property: JsonPropertyName("created")] string Created,
    [property: JsonPropertyName("creators")] IReadOnlyList<string> Creators);

internal sealed record SpdxPackage
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("SPDXID")] public required string SpdxId { get; init; }
    [JsonPropertyName("versionInfo")] public string? VersionInfo { get; init; }
    [JsonPropertyName("supplier")] public string? Supplier { get; init; }
    [JsonPropertyName("downloadLocation")] public string DownloadLocation { get; init; } = "NOASSERTION";
    [JsonPropertyName("filesAnalyzed")] public bool FilesAnalyzed { get; init; }
    [JsonPropertyName("checksums")] public IReadOnlyList<SpdxChecksum>? Checksums { get; init; }
    [JsonPropertyName("sourceInfo")] public string? SourceInfo { get; init; }
    [JsonPropertyName("licenseConcluded")] public string LicenseConcluded { get; init; } = "NOASSERTION";
    [JsonPropertyName("licenseDeclared")] public string LicenseDeclared { get; init; } = "NOASSERTION";
    [JsonPropertyName("copyrightText")] public string CopyrightText { get; init; } = "NOASSERTION";
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("externalRefs")] public IReadOnlyList<SpdxExternalRef>? ExternalRefs { get; init; }
    [JsonPropertyName("primaryPackagePurpose")] public string? PrimaryPackagePurpose { get; init; }
}

internal sealed record SpdxChecksum(
    [property: JsonPropertyName("algorithm")] string Algorithm,
    [property: JsonPropertyName("checksumValue")] string ChecksumValue);

internal sealed record SpdxExternalRef(
    [property: JsonPropertyName("referenceCategory")] string ReferenceCategory,
    [property: JsonPropertyName("referenceType")] string ReferenceType,
    [property: JsonPropertyName("referenceLocator")] string ReferenceLocator);

internal sealed record SpdxRelationship(
    [property: JsonPropertyName("spdxElementId")] string SpdxElementId,
    [property: JsonPropertyName("relationshipType")] string RelationshipType,
    [property: JsonPropertyName("relatedSpdxElement")] string RelatedSpdxElement);

internal sealed record SpdxExtractedLicense(
    [property: JsonPropertyName("licenseId")] string LicenseId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("extractedText")] string ExtractedText);
