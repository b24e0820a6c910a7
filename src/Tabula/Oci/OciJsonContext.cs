using System.Text.Json.Serialization;

namespace Tabula.Oci;

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(GoTimeJsonConverter)])]
[JsonSerializable(typeof(ImageManifest))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(ImageConfig))]
[JsonSerializable(typeof(Descriptor))]
[JsonSerializable(typeof(OciLayoutFile))]
[JsonSerializable(typeof(ManifestProbe))]
internal sealed partial class OciJsonContext : JsonSerializerContext;

/// <summary>The <c>oci-layout</c> marker file of an OCI image layout.</summary>
internal sealed record OciLayoutFile
{
    public const string CurrentVersion = "1.0.0";
    [JsonPropertyName("imageLayoutVersion")] public string ImageLayoutVersion { get; init; } = CurrentVersion;
}

/// <summary>Just enough of any manifest-like JSON to tell what it is.</summary>
internal sealed record ManifestProbe
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; init; }
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }
    [JsonPropertyName("config")] public Descriptor? Config { get; init; }
    [JsonPropertyName("manifests")] public IReadOnlyList<Descriptor>? Manifests { get; init; }
}
