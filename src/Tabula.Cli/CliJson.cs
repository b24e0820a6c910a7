using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tabula.Oci;

namespace Tabula.Cli;

/// <summary>One row of <c>images --format json</c>, with docker's field names plus the compressed size.</summary>
public sealed record ImageListJson(
    string Containers, string CreatedAt, string CreatedSince, string Digest, string ID, string Repository,
    string SharedSize, string Size, string Tag, string UniqueSize, string VirtualSize, long ContentSize);

/// <summary>One row of <c>history --format json</c>, with docker's field names.</summary>
public sealed record HistoryRowJson(string Comment, string CreatedAt, string CreatedBy, string CreatedSince, string ID, string Size);

/// <summary>docker image inspect's shape (the fields that mean something without a daemon).</summary>
public sealed record ImageInspectJson
{
    public required string Id { get; init; }
    public required IReadOnlyList<string> RepoTags { get; init; }
    public required IReadOnlyList<string> RepoDigests { get; init; }
    public string Parent { get; init; } = "";
    public string Comment { get; init; } = "";
    public string? Created { get; init; }
    public string DockerVersion { get; init; } = "";
    public string Author { get; init; } = "";
    public ContainerConfig? Config { get; init; }
    public required string Architecture { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Variant { get; init; }
    public required string Os { get; init; }
    public long Size { get; init; }
    public required RootFsJson RootFS { get; init; }
    public required ManifestInfoJson Descriptor { get; init; }
}

public sealed record RootFsJson(string Type, IReadOnlyList<string> Layers);

public sealed record ManifestInfoJson(string MediaType, string Digest, long Size);

/// <summary>skopeo list-tags' shape.</summary>
public sealed record TagListJson(string Repository, IReadOnlyList<string> Tags);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(List<ImageInspectJson>))]
[JsonSerializable(typeof(ImageListJson))]
[JsonSerializable(typeof(HistoryRowJson))]
[JsonSerializable(typeof(ImageInspectJson))]
[JsonSerializable(typeof(TagListJson))]
[JsonSerializable(typeof(ImageConfig))]
[JsonSerializable(typeof(List<HistoryEntry>))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>Indented output that keeps &lt;, &gt; and non-ASCII readable, as docker prints them.</summary>
    public static CliJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new GoTimeJsonConverter() },
    });

    public static CliJsonContext Compact { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new GoTimeJsonConverter() },
    });
}
