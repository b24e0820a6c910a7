using System.Text.Json.Serialization;

namespace Tabula.Runtime.Cdi;

/// <summary>
/// A Container Device Interface spec file (github.com/cncf-tags/container-device-interface, SPEC.md): a vendor's
/// <c>kind</c> (<c>vendor.com/class</c>), its devices, and edits every device of the file brings along.
/// </summary>
internal sealed record CdiSpec
{
    [JsonPropertyName("cdiVersion")] public string? Version { get; init; }
    [JsonPropertyName("kind")] public string? Kind { get; init; }
    [JsonPropertyName("devices")] public IReadOnlyList<CdiDevice> Devices { get; set; } = [];
    [JsonPropertyName("containerEdits")] public CdiEdits? ContainerEdits { get; init; }
}

/// <summary>One device of a spec: its name within the kind, annotations and what using it changes in the container.</summary>
internal sealed record CdiDevice
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    [JsonPropertyName("containerEdits")] public CdiEdits? ContainerEdits { get; init; }
}

// Lists have setters, not init: the source-generated reader assigns every init property, null for one the file
// leaves out, which would undo the empty default.

/// <summary>The container edits tabula applies: environment, device nodes and mounts (hooks are refused: see <see cref="CdiDevices"/>).</summary>
internal sealed record CdiEdits
{
    [JsonPropertyName("env")] public IReadOnlyList<string> Env { get; set; } = [];
    [JsonPropertyName("deviceNodes")] public IReadOnlyList<CdiDeviceNode> DeviceNodes { get; set; } = [];
    [JsonPropertyName("mounts")] public IReadOnlyList<CdiMount> Mounts { get; set; } = [];
    [JsonPropertyName("hooks")] public IReadOnlyList<System.Text.Json.JsonElement> Hooks { get; set; } = [];
}

internal sealed record CdiDeviceNode
{
    [JsonPropertyName("path")] public string? Path { get; init; }
    [JsonPropertyName("hostPath")] public string? HostPath { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("major")] public long? Major { get; init; }
    [JsonPropertyName("minor")] public long? Minor { get; init; }
    [JsonPropertyName("permissions")] public string? Permissions { get; init; }
}

internal sealed record CdiMount
{
    [JsonPropertyName("hostPath")] public string? HostPath { get; init; }
    [JsonPropertyName("containerPath")] public string? ContainerPath { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("options")] public IReadOnlyList<string> Options { get; set; } = [];
}

[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(CdiSpec))]
internal sealed partial class CdiJsonContext : JsonSerializerContext;
