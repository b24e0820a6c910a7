using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabula.Cli.Build;

/// <summary>One line of <c>--progress=rawjson</c>; fields that do not apply to the event's type are left out.</summary>
internal sealed record BuildEventJson(string Time, string Type)
{
    public int? Stage { get; init; }
    public string? StageName { get; init; }
    public int? Step { get; init; }
    public int? Steps { get; init; }
    public string? Text { get; init; }
    public string? Line { get; init; }
    public double? Seconds { get; init; }
    public string? Layer { get; init; }
    public long? LayerSize { get; init; }
    public string? Message { get; init; }
    public IReadOnlyList<BuildStageJson>? Stages { get; init; }
    public string? ImageId { get; init; }
    public string? Manifest { get; init; }
    public IReadOnlyList<string>? Names { get; init; }
}

internal sealed record BuildStageJson(int Stage, string Name);

/// <summary>buildx's <c>--metadata-file</c> keys that tabula can fill truthfully (the others are BuildKit's own).</summary>
internal sealed record BuildMetadataJson
{
    [JsonPropertyName("containerimage.config.digest")] public string? ConfigDigest { get; init; }
    [JsonPropertyName("containerimage.descriptor")] public BuildDescriptorJson? Descriptor { get; init; }
    [JsonPropertyName("containerimage.digest")] public string? Digest { get; init; }
    [JsonPropertyName("image.name")] public string? ImageName { get; init; }
}

internal sealed record BuildDescriptorJson(string MediaType, string Digest, long Size);

[JsonSerializable(typeof(BuildEventJson))]
[JsonSerializable(typeof(BuildMetadataJson))]
internal sealed partial class BuildJsonContext : JsonSerializerContext
{
    /// <summary>One line per object (rawjson), media types' <c>+</c> and non-ASCII kept readable.</summary>
    public static BuildJsonContext Compact { get; } = new(CreateOptions(indented: false));

    /// <summary>Indented, as buildx writes its metadata file.</summary>
    public static BuildJsonContext Indented { get; } = new(CreateOptions(indented: true));

    private static JsonSerializerOptions CreateOptions(bool indented) => new()
    {
        WriteIndented = indented,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
