using System.Text.Json.Serialization;

namespace Tabula.Oci;

/// <summary>An OCI content descriptor: what a blob is, where to find it and how big it is.</summary>
public sealed record Descriptor
{
    [JsonPropertyName("mediaType")] public required string MediaType { get; init; }
    [JsonPropertyName("digest")] public required Digest Digest { get; init; }
    [JsonPropertyName("size")] public required long Size { get; init; }
    [JsonPropertyName("urls")] public IReadOnlyList<string>? Urls { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    [JsonPropertyName("platform")] public Platform? Platform { get; init; }
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; init; }

    public string? Annotation(string key) => Annotations is not null && Annotations.TryGetValue(key, out var value) ? value : null;

    public Descriptor WithAnnotation(string key, string? value)
    {
        var annotations = Annotations is null ? new SortedDictionary<string, string>(StringComparer.Ordinal) : new SortedDictionary<string, string>(Annotations.ToDictionary(), StringComparer.Ordinal);
        if (value is null) annotations.Remove(key); else annotations[key] = value;
        return this with { Annotations = annotations.Count == 0 ? null : annotations };
    }
}
