using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabula.Oci;

/// <summary>The image configuration blob (OCI image config with the Docker fields docker and BuildKit write).</summary>
public sealed record ImageConfig
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("architecture")] public string Architecture { get; init; } = "";
    [JsonPropertyName("os")] public string Os { get; init; } = "";
    [JsonPropertyName("os.version")] public string? OsVersion { get; init; }
    [JsonPropertyName("os.features")] public IReadOnlyList<string>? OsFeatures { get; init; }
    [JsonPropertyName("variant")] public string? Variant { get; init; }
    [JsonPropertyName("config")] public ContainerConfig? Config { get; init; }
    [JsonPropertyName("rootfs")] public RootFs RootFs { get; init; } = new();
    [JsonPropertyName("history")] public IReadOnlyList<HistoryEntry>? History { get; init; }

    /// <summary>Fields other tools write that Tabula does not model (docker_version, container_config, …), kept on read.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    [JsonIgnore] public Platform Platform => new() { Os = Os, Architecture = Architecture, Variant = Variant, OsVersion = OsVersion };
}

/// <summary>The runtime defaults of an image (the <c>config</c> object of an image config).</summary>
public sealed record ContainerConfig
{
    [JsonPropertyName("User")] public string? User { get; init; }
    [JsonPropertyName("ExposedPorts")] public IReadOnlyDictionary<string, EmptyObject>? ExposedPorts { get; init; }
    [JsonPropertyName("Env")] public IReadOnlyList<string>? Env { get; init; }
    [JsonPropertyName("Entrypoint")] public IReadOnlyList<string>? Entrypoint { get; init; }
    [JsonPropertyName("Cmd")] public IReadOnlyList<string>? Cmd { get; init; }
    [JsonPropertyName("Volumes")] public IReadOnlyDictionary<string, EmptyObject>? Volumes { get; init; }
    [JsonPropertyName("WorkingDir")] public string? WorkingDir { get; init; }
    [JsonPropertyName("Labels")] public IReadOnlyDictionary<string, string>? Labels { get; init; }
    [JsonPropertyName("StopSignal")] public string? StopSignal { get; init; }
    [JsonPropertyName("ArgsEscaped")] public bool? ArgsEscaped { get; init; }
    [JsonPropertyName("Healthcheck")] public HealthConfig? Healthcheck { get; init; }
    [JsonPropertyName("OnBuild")] public IReadOnlyList<string>? OnBuild { get; init; }
    [JsonPropertyName("Shell")] public IReadOnlyList<string>? Shell { get; init; }
}

/// <summary>Docker's HEALTHCHECK settings; durations are nanoseconds as Go writes them.</summary>
public sealed record HealthConfig
{
    [JsonPropertyName("Test")] public IReadOnlyList<string>? Test { get; init; }
    [JsonPropertyName("Interval")] public long? Interval { get; init; }
    [JsonPropertyName("Timeout")] public long? Timeout { get; init; }
    [JsonPropertyName("StartPeriod")] public long? StartPeriod { get; init; }
    [JsonPropertyName("StartInterval")] public long? StartInterval { get; init; }
    [JsonPropertyName("Retries")] public int? Retries { get; init; }
}

/// <summary>Serialises as <c>{}</c>: the value type of Go's <c>map[string]struct{}</c>.</summary>
public sealed record EmptyObject
{
    public static EmptyObject Instance { get; } = new();
}

public sealed record RootFs
{
    [JsonPropertyName("type")] public string Type { get; init; } = "layers";
    [JsonPropertyName("diff_ids")] public IReadOnlyList<Digest> DiffIds { get; init; } = [];
}

public sealed record HistoryEntry
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; init; }
    [JsonPropertyName("created_by")] public string? CreatedBy { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("comment")] public string? Comment { get; init; }
    [JsonPropertyName("empty_layer")] public bool? EmptyLayer { get; init; }
}
