using System.Text.Json.Serialization;

namespace Tabula.Sbom;

/// <summary>A CycloneDX 1.6 BOM (JSON), with the fields Tabula writes.</summary>
internal sealed record CycloneDxBom
{
    [JsonPropertyName("$schema")] public string Schema { get; init; } = "http://cyclonedx.org/schema/bom-1.6.schema.json";
    [JsonPropertyName("bomFormat")] public string BomFormat { get; init; } = "CycloneDX";
    [JsonPropertyName("specVersion")] public string SpecVersion { get; init; } = "1.6";
    [JsonPropertyName("serialNumber")] public required string SerialNumber { get; init; }
    [JsonPropertyName("version")] public int Version { get; init; } = 1;
    [JsonPropertyName("metadata")] public required CycloneDxMetadata Metadata { get; init; }
    [JsonPropertyName("components")] public required IReadOnlyList<CycloneDxComponent> Components { get; init; }
    [JsonPropertyName("dependencies")] public IReadOnlyList<CycloneDxDependency>? Dependencies { get; init; }
}

internal sealed record CycloneDxMetadata(
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("tools")] CycloneDxTools Tools,
    [property: JsonPropertyName("component")] CycloneDxComponent Component);

internal sealed record CycloneDxTools([property: JsonPropertyName("components")] IReadOnlyList<CycloneDxComponent> Components);

internal sealed record CycloneDxComponent
{
    [JsonPropertyName("bom-ref")] public string? BomRef { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("version")] public string? Version { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("hashes")] public IReadOnlyList<CycloneDxHash>? Hashes { get; init; }
    [JsonPropertyName("licenses")] public IReadOnlyList<CycloneDxLicenseChoice>? Licenses { get; init; }
    [JsonPropertyName("purl")] public string? Purl { get; init; }
    [JsonPropertyName("properties")] public IReadOnlyList<CycloneDxProperty>? Properties { get; init; }
}

internal sealed record CycloneDxHash(
    [property: JsonPropertyName("alg")] string Algorithm,
    [property: JsonPropertyName("content")] string Content);

internal sealed record CycloneDxLicenseChoice([property: JsonPropertyName("license")] CycloneDxLicense License);

/// <summary>Either an SPDX <see cref="Id"/> or, for a name without one, the <see cref="Name"/> as the metadata gives it.</summary>
internal sealed record CycloneDxLicense
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
}

internal sealed record CycloneDxProperty(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value);

internal sealed record CycloneDxDependency(
    [property: JsonPropertyName("ref")] string Ref,
    [property: JsonPropertyName("dependsOn")] IReadOnlyList<string> DependsOn);
