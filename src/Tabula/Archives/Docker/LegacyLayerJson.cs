using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tabula.Oci;

namespace Tabula.Archives.Docker;

/// <summary>
/// The v1 image JSON docker 20.10 writes as <c>&lt;id&gt;/json</c> in a legacy archive, and the id derived from it
/// (moby's <c>v1.CreateID</c>): sha256 of that JSON without <c>id</c>, with <c>layer_id</c> (the chain id) and
/// <c>parent</c> (the previous layer's v1 id) added, keys sorted. Lower layers carry an empty config created at the
/// epoch; the top layer carries the image config's fields. Same image, same ids, on any machine.
/// </summary>
internal static partial class LegacyLayerJson
{
    private const string ZeroTime = "0001-01-01T00:00:00Z";
    private const string EpochTime = "1970-01-01T00:00:00Z";

    /// <summary>One layer's v1 JSON fields in moby's V1Image struct order, without id, parent and os.</summary>
    public sealed record Fields(IReadOnlyList<KeyValuePair<string, string>> Values, string? Os);

    /// <summary>The fields of a lower layer: only a creation time at the epoch and an empty container config.</summary>
    public static Fields ForLowerLayer(string? os) => new(
    [
        new("created", GoJsonWriter.Quote(EpochTime)),
        new("container_config", GoContainerConfig.Marshal(null)),
    ], os);

    /// <summary>The fields of the top layer: the image config read into moby's V1Image and marshalled again.</summary>
    public static Fields ForTopLayer(ReadOnlySpan<byte> rawConfig)
    {
        using var document = JsonDocument.Parse(rawConfig.ToArray());
        var config = document.RootElement;
        var values = new List<KeyValuePair<string, string>>();
        void AddString(string key)
        {
            if (GoFields.Get(config, key) is { ValueKind: JsonValueKind.String } s && s.GetString() is { Length: > 0 } text)
                values.Add(new(key, GoJsonWriter.Quote(text)));
        }
        AddString("comment");
        values.Add(new("created", GoJsonWriter.Quote(GoFields.Get(config, "created") is { ValueKind: JsonValueKind.String } c ? GoTimeText(c.GetString()!) : ZeroTime)));
        AddString("container");
        values.Add(new("container_config", GoContainerConfig.Marshal(GoFields.Get(config, "container_config"))));
        AddString("docker_version");
        AddString("author");
        if (GoFields.Get(config, "config") is { ValueKind: JsonValueKind.Object } runConfig)
            values.Add(new("config", GoContainerConfig.Marshal(runConfig)));
        AddString("architecture");
        AddString("variant");
        string? os = GoFields.Get(config, "os") is { ValueKind: JsonValueKind.String } o && o.GetString() is { Length: > 0 } osText ? osText : null;
        if (os is not null) values.Add(new("os", GoJsonWriter.Quote(os)));
        if (GoFields.Get(config, "Size") is { ValueKind: JsonValueKind.Number } size && size.TryGetInt64(out var bytes) && bytes != 0)
            values.Add(new("Size", bytes.ToString(CultureInfo.InvariantCulture)));
        return new Fields(values, os);
    }

    /// <summary>moby's v1.CreateID: the digest of the fields plus layer_id and parent, keys sorted as Go sorts map keys.</summary>
    public static Digest CreateId(Fields fields, Digest chainId, Digest? parent)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in fields.Values) map[key] = value;
        map["layer_id"] = GoJsonWriter.Quote(chainId.ToString());
        if (parent is { } p) map["parent"] = GoJsonWriter.Quote(p.ToString());
        var json = new GoJsonWriter().StartObject();
        foreach (var (key, value) in map) json.Name(key).Raw(value);
        return Digest.Compute(json.EndObject().ToUtf8());
    }

    /// <summary>The <c>json</c> file: the fields with id, parent (hex) and the image's os, in struct order.</summary>
    public static byte[] Serialize(Fields fields, Digest id, Digest? parent, string? imageOs)
    {
        var json = new GoJsonWriter().StartObject();
        json.Name("id").String(id.Encoded);
        if (parent is { } p) json.Name("parent").String(p.Encoded);
        foreach (var (key, value) in fields.Values)
        {
            if (key is "os" or "Size") continue;
            json.Name(key).Raw(value);
        }
        // The image's os is set on every layer after the id is computed, so lower layers carry it in the file only.
        if (!string.IsNullOrEmpty(imageOs)) json.Name("os").String(imageOs);
        foreach (var (key, value) in fields.Values)
            if (key == "Size") json.Name(key).Raw(value);
        return json.EndObject().ToUtf8();
    }

    /// <summary>The chain ids of a layer stack (see <see cref="Oci.ChainIds"/>).</summary>
    public static IReadOnlyList<Digest> ChainIds(IReadOnlyList<Digest> diffIds) => Oci.ChainIds.Of(diffIds);

    /// <summary>A time as Go's time.Time marshals after parsing it: RFC 3339, fraction without trailing zeros, zero offset as Z.</summary>
    public static string GoTimeText(string text)
    {
        var match = RfcTime().Match(text);
        if (!match.Success) return text;
        var fraction = match.Groups[2].Value.TrimStart('.');
        if (fraction.Length > 9) fraction = fraction[..9];
        fraction = fraction.TrimEnd('0');
        var offset = match.Groups[3].Value;
        if (offset is "z" or "+00:00" or "-00:00") offset = "Z";
        return match.Groups[1].Value.Replace('t', 'T') + (fraction.Length > 0 ? "." + fraction : "") + offset;
    }

    [GeneratedRegex(@"^(\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d)(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")]
    private static partial Regex RfcTime();
}
