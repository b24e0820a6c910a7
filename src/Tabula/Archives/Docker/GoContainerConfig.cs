using System.Text.Json;

namespace Tabula.Archives.Docker;

/// <summary>
/// Re-marshals a <c>config</c>/<c>container_config</c> object as docker 20.10's <c>container.Config</c> struct does:
/// its fields in struct order, zero values written for fields without <c>omitempty</c>, unknown fields dropped and map
/// keys sorted. Used for the v1 layer JSON whose hash is the legacy layer id.
/// </summary>
internal static class GoContainerConfig
{
    private enum Kind { String, Bool, Set, StringList, StrSlice, Health, StringMap, Int }

    private static readonly (string Name, Kind Kind, bool OmitEmpty)[] Fields =
    [
        ("Hostname", Kind.String, false),
        ("Domainname", Kind.String, false),
        ("User", Kind.String, false),
        ("AttachStdin", Kind.Bool, false),
        ("AttachStdout", Kind.Bool, false),
        ("AttachStderr", Kind.Bool, false),
        ("ExposedPorts", Kind.Set, true),
        ("Tty", Kind.Bool, false),
        ("OpenStdin", Kind.Bool, false),
        ("StdinOnce", Kind.Bool, false),
        ("Env", Kind.StringList, false),
        ("Cmd", Kind.StrSlice, false),
        ("Healthcheck", Kind.Health, true),
        ("ArgsEscaped", Kind.Bool, true),
        ("Image", Kind.String, false),
        ("Volumes", Kind.Set, false),
        ("WorkingDir", Kind.String, false),
        ("Entrypoint", Kind.StrSlice, false),
        ("NetworkDisabled", Kind.Bool, true),
        ("MacAddress", Kind.String, true),
        ("OnBuild", Kind.StringList, false),
        ("Labels", Kind.StringMap, false),
        ("StopSignal", Kind.String, true),
        ("StopTimeout", Kind.Int, true),
        ("Shell", Kind.StrSlice, true),
    ];

    /// <summary>The Go JSON of a container.Config read from <paramref name="config"/> (undefined or null: the zero value).</summary>
    public static string Marshal(JsonElement? config)
    {
        var json = new GoJsonWriter().StartObject();
        foreach (var (name, kind, omitEmpty) in Fields)
        {
            var value = config is { ValueKind: JsonValueKind.Object } c ? GoFields.Get(c, name) : null;
            if (omitEmpty && IsEmpty(value, kind)) continue;
            json.Name(name);
            WriteValue(json, value, kind);
        }
        return json.EndObject().ToString();
    }

    private static bool IsEmpty(JsonElement? value, Kind kind) => value switch
    {
        null => true,
        { ValueKind: JsonValueKind.Null } => true,
        { } v => kind switch
        {
            Kind.String => v.ValueKind != JsonValueKind.String || v.GetString()!.Length == 0,
            Kind.Bool => v.ValueKind != JsonValueKind.True,
            Kind.Set or Kind.StringMap => v.ValueKind != JsonValueKind.Object || !v.EnumerateObject().Any(),
            Kind.StringList or Kind.StrSlice => v.ValueKind == JsonValueKind.Array ? v.GetArrayLength() == 0 : v.ValueKind != JsonValueKind.String,
            Kind.Health or Kind.Int => false, // pointers: only nil is empty
            _ => false,
        },
    };

    private static void WriteValue(GoJsonWriter json, JsonElement? value, Kind kind)
    {
        bool isNull = value is null || value.Value.ValueKind == JsonValueKind.Null;
        switch (kind)
        {
            case Kind.String:
                json.String(!isNull && value!.Value.ValueKind == JsonValueKind.String ? value.Value.GetString() : "");
                break;
            case Kind.Bool:
                json.Bool(!isNull && value!.Value.ValueKind == JsonValueKind.True);
                break;
            case Kind.Set:
                if (isNull || value!.Value.ValueKind != JsonValueKind.Object) { json.Null(); break; }
                json.StartObject();
                foreach (var key in SortedKeys(value.Value)) json.Name(key).StartObject().EndObject();
                json.EndObject();
                break;
            case Kind.StringMap:
                if (isNull || value!.Value.ValueKind != JsonValueKind.Object) { json.Null(); break; }
                json.StartObject();
                foreach (var key in SortedKeys(value.Value)) json.Name(key).String(GoFields.Get(value.Value, key, exactOnly: true)?.GetString() ?? "");
                json.EndObject();
                break;
            case Kind.StringList:
            case Kind.StrSlice:
                if (isNull) { json.Null(); break; }
                // StrSlice also accepts a bare string as a one-element list.
                if (value!.Value.ValueKind == JsonValueKind.String) { json.StringArray([value.Value.GetString()!]); break; }
                json.StringArray(value.Value.ValueKind == JsonValueKind.Array ? value.Value.EnumerateArray().Select(e => e.GetString() ?? "") : null);
                break;
            case Kind.Int:
                json.Number(value!.Value.TryGetInt64(out var n) ? n : 0);
                break;
            case Kind.Health:
                WriteHealth(json, value!.Value);
                break;
        }
    }

    private static void WriteHealth(GoJsonWriter json, JsonElement health)
    {
        // docker 20.10's HealthConfig: every field omitempty; StartInterval came later and is dropped.
        json.StartObject();
        if (health.ValueKind == JsonValueKind.Object)
        {
            if (GoFields.Get(health, "Test") is { ValueKind: JsonValueKind.Array } test && test.GetArrayLength() > 0)
                json.Name("Test").StringArray(test.EnumerateArray().Select(e => e.GetString() ?? ""));
            foreach (var name in new[] { "Interval", "Timeout", "StartPeriod", "Retries" })
                if (GoFields.Get(health, name) is { ValueKind: JsonValueKind.Number } number && number.TryGetInt64(out var n) && n != 0)
                    json.Name(name).Number(n);
        }
        json.EndObject();
    }

    private static IEnumerable<string> SortedKeys(JsonElement map)
        => map.EnumerateObject().Select(p => p.Name).Distinct(StringComparer.Ordinal).OrderBy(k => k, StringComparer.Ordinal);
}

/// <summary>Field lookup as Go's decoder fills struct fields: a key matches exactly or case-insensitively, and a later key overwrites an earlier one.</summary>
internal static class GoFields
{
    public static JsonElement? Get(JsonElement obj, string name, bool exactOnly = false)
    {
        JsonElement? found = null;
        foreach (var property in obj.EnumerateObject())
            if (property.NameEquals(name) || !exactOnly && string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                found = property.Value;
        return found;
    }
}
