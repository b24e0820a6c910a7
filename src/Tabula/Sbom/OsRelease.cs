using System.Text;

namespace Tabula.Sbom;

/// <summary>The OS an image says it is, from <c>os-release</c> (<c>ID</c>, <c>VERSION_ID</c>, <c>PRETTY_NAME</c>…).</summary>
internal sealed record OsRelease(string Id, string? VersionId, string? Name, string? PrettyName, string? VersionCodename)
{
    /// <summary>The <c>distro</c> qualifier of a purl, as syft and trivy write it: <c>debian-12</c>, <c>alpine-3.19.1</c>.</summary>
    public string Distro => VersionId is null ? Id : $"{Id}-{VersionId}";

    /// <summary>Parses the shell-like <c>KEY=value</c> lines (values may be quoted with " or ', with \ escapes); null without an ID.</summary>
    public static OsRelease? Parse(ReadOnlySpan<byte> bytes)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in Encoding.UTF8.GetString(bytes).Split('\n'))
        {
            var line = raw.Trim();
            int equals = line.IndexOf('=');
            if (line.StartsWith('#') || equals <= 0) continue;
            fields[line[..equals]] = Unquote(line[(equals + 1)..]);
        }
        string? Field(string key) => fields.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        return Field("ID") is { } id ? new OsRelease(id, Field("VERSION_ID"), Field("NAME"), Field("PRETTY_NAME"), Field("VERSION_CODENAME")) : null;
    }

    private static string Unquote(string value)
    {
        if (value.Length < 2 || value[0] is not ('"' or '\'') || value[^1] != value[0]) return value;
        var inner = value[1..^1];
        if (value[0] == '\'') return inner;
        var text = new StringBuilder(inner.Length);
        for (int i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length) i++;
            text.Append(inner[i]);
        }
        return text.ToString();
    }
}
