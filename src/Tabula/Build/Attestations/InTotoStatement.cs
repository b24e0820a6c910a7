using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabula.Build.Attestations;

/// <summary>
/// An in-toto statement (v1) as an attestation manifest's layer holds it: what it says (<see cref="Predicate"/>, of
/// <see cref="PredicateType"/>) about which artifacts (<see cref="Subject"/>, the image manifest by digest).
/// </summary>
internal sealed record InTotoStatement
{
    public const string TypeV1 = "https://in-toto.io/Statement/v1";
    public const string SpdxPredicate = "https://spdx.dev/Document";

    /// <summary>The media type of a statement as a layer.</summary>
    public const string MediaType = "application/vnd.in-toto+json";

    /// <summary>The layer annotation naming the statement's predicate type.</summary>
    public const string PredicateTypeAnnotation = "in-toto.io/predicate-type";

    [JsonPropertyName("_type")] public string Type { get; init; } = TypeV1;
    [JsonPropertyName("predicateType")] public required string PredicateType { get; init; }
    [JsonPropertyName("subject")] public IReadOnlyList<InTotoSubject> Subject { get; init; } = [];
    [JsonPropertyName("predicate")] public JsonElement Predicate { get; init; }
}

internal sealed record InTotoSubject(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("digest")] IReadOnlyDictionary<string, string> Digest);

/// <summary>Compact, as BuildKit writes statements (Go's encoding/json): the layer's digest is of these bytes.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InTotoStatement))]
[JsonSerializable(typeof(AttestationConfig))]
internal sealed partial class InTotoJsonContext : JsonSerializerContext;
