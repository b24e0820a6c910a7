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

    /// <summary>The <c>RUN --mount=type=cache</c> directories the export was asked to carry (<c>mounts=</c>); absent when none.</summary>
    [JsonPropertyName("mounts")] public IReadOnlyList<CacheMountArchive>? Mounts { get; init; }

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

/// <summary>
/// One step: its key, and its layer (blob and diff ID), or none for a step that changed nothing; and when its result
/// was made, which a hit gives the image's history (so an image rebuilt from the cache has the exporter's ID). The
/// time is never part of the key.
/// </summary>
internal sealed record CacheStep
{
    [JsonPropertyName("key")] public required string Key { get; init; }
    [JsonPropertyName("layer")] public Descriptor? Layer { get; init; }
    [JsonPropertyName("diffID")] public Digest? DiffId { get; init; }
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; init; }
}

/// <summary>
/// A cache mount's content as a tar blob (a layer with no whiteouts). <see cref="Name"/> is the store's name for the
/// directory, which holds the id and what started it (a <c>from=</c> stage's layers, the root's mode, uid and gid), so a
/// restore fills only the very cache the RUN mounts; <see cref="Id"/> is how users named it.
/// </summary>
internal sealed record CacheMountArchive
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("blob")] public required Descriptor Blob { get; init; }
    [JsonPropertyName("diffID")] public required Digest DiffId { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = [typeof(GoTimeJsonConverter)])]
[JsonSerializable(typeof(CacheConfig))]
internal sealed partial class SharedCacheJsonContext : JsonSerializerContext;
