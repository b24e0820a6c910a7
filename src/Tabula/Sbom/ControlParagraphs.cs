using System.Text;

namespace Tabula.Sbom;

/// <summary>
/// The stanzas of a Debian control-style file (dpkg's <c>status</c>) or apk's <c>installed</c>: blocks separated by
/// blank lines, each line <c>Key: value</c> (dpkg) or <c>K:value</c> (apk). Continuation lines (starting with a space
/// or a tab) belong to the field above and are not needed here: only each field's first line is kept.
/// </summary>
internal static class ControlParagraphs
{
    public static IEnumerable<IReadOnlyDictionary<string, string>> Read(byte[] bytes)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in Encoding.UTF8.GetString(bytes).Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                if (fields.Count > 0) yield return fields;
                fields = new Dictionary<string, string>(StringComparer.Ordinal);
                continue;
            }
            if (line[0] is ' ' or '\t') continue;
            int colon = line.IndexOf(':');
            if (colon <= 0) continue;
            fields.TryAdd(line[..colon], line[(colon + 1)..].Trim());
        }
        if (fields.Count > 0) yield return fields;
    }
}
