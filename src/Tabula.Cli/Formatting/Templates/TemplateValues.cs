using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tabula.Cli.Formatting.Templates;

/// <summary>
/// The values a template works on: JSON objects and arrays stay <see cref="JsonElement"/>s; their scalars become
/// string, long, double, bool or null; <c>split</c> makes lists. Printing follows Go's <c>%v</c>, as docker's
/// templates print: lists as <c>[a b]</c>, objects as <c>map[k:v]</c> with sorted keys, a missing field as
/// <c>&lt;no value&gt;</c>.
/// </summary>
internal static class TemplateValues
{
    /// <summary>A field or key that is not there (Go prints <c>&lt;no value&gt;</c>).</summary>
    public static readonly object Missing = new();

    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? whole : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => element,
    };

    public static object? Field(object? value, string name)
    {
        if (value is JsonElement { ValueKind: JsonValueKind.Object } element)
            return element.TryGetProperty(name, out var property) ? FromJson(property) : Missing;
        if (value is null || value == Missing) return Missing;
        throw new TemplateException($"template: can't evaluate field {name} in a {Kind(value)}");
    }

    public static IReadOnlyList<object?> Items(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.Array } array => [.. array.EnumerateArray().Select(FromJson)],
        JsonElement { ValueKind: JsonValueKind.Object } map => [.. map.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => FromJson(p.Value))],
        IReadOnlyList<object?> list => list,
        null => [],
        _ when value == Missing => [],
        _ => throw new TemplateException($"template: can't range over a {Kind(value)}"),
    };

    public static bool IsTrue(object? value) => value switch
    {
        null => false,
        bool b => b,
        long n => n != 0,
        double d => d != 0,
        string s => s.Length > 0,
        JsonElement { ValueKind: JsonValueKind.Array } array => array.GetArrayLength() > 0,
        JsonElement { ValueKind: JsonValueKind.Object } map => map.EnumerateObject().Any(),
        IReadOnlyList<object?> list => list.Count > 0,
        _ => value != Missing,
    };

    public static string Print(object? value) => value switch
    {
        null => "<nil>",
        string s => s,
        bool b => b ? "true" : "false",
        long n => n.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        JsonElement { ValueKind: JsonValueKind.Array } or IReadOnlyList<object?> => "[" + string.Join(" ", Items(value).Select(Print)) + "]",
        JsonElement { ValueKind: JsonValueKind.Object } map => "map[" + string.Join(" ", map.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Name + ":" + Print(FromJson(p.Value)))) + "]",
        _ when value == Missing => "<no value>",
        _ => value.ToString() ?? "",
    };

    /// <summary>Compact JSON without HTML escaping, as docker's <c>json</c> function writes it.</summary>
    public static string Json(object? value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(writer, value);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case JsonElement element: element.WriteTo(writer); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case long n: writer.WriteNumberValue(n); break;
            case double d: writer.WriteNumberValue(d); break;
            case IReadOnlyList<object?> list:
                writer.WriteStartArray();
                foreach (var item in list) Write(writer, item);
                writer.WriteEndArray();
                break;
            default: writer.WriteNullValue(); break;
        }
    }

    public static string Kind(object? value) => value switch
    {
        null => "nil",
        string => "string",
        bool => "bool",
        long or double => "number",
        JsonElement { ValueKind: JsonValueKind.Array } or IReadOnlyList<object?> => "list",
        JsonElement { ValueKind: JsonValueKind.Object } => "map",
        _ => "value",
    };
}
