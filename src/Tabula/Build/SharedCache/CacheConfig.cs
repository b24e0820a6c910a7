using System.Text.Json;
using System.Text.Json.Serialization;
using Tabula.Oci;

namespace Tabula.Build.SharedCache;

/// <summary>
/// The config blob of a cache artifact: step keys and what each step gave. A key already holds its parent's layers
/// (<see cref="StepKey.ForParent"/>), so no parent link is needed: a chain of hits is found key by key.
/// </summary>
internal sealed record CacheConfig
{
    public const string MediaType = "application/vnd.tabula.buildcache.config.v1+json";
    public const string ArtifactType = "application/vnd.tabula.buildcache.v1";

    [JsonPropertyName("steps")] public required IReadOnlyList<CacheStep> Steps { get; init; }

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, SharedCacheJsonContext.Default.CacheConfig);

    public static CacheConfig Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, SharedCacheJsonContext.Default.CacheConfig) ?? throw new InvalidDataException("the cache config is null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("the cache config is not valid JSON: " + e.Message, e);
        }
    }
}

/// <summary>One step: its key, and its layer (blob and diff ID), or none for a step that changed nothing.</summary>
internal sealed record CacheStep
{
    [JsonPropertyName("key")] public required string Key { get; init; }
    [JsonPropertyName("layer")] public Descriptor? Layer { get; init; }
    [JsonPropertyName("diffID")] public Digest? DiffId { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CacheConfig))]
internal sealed partial class SharedCacheJsonContext : JsonSerializerContext;
