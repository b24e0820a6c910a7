namespace Tabula.Sbom;

/// <summary>
/// dpkg's database: <c>/var/lib/dpkg/status</c>, and <c>/var/lib/dpkg/status.d/*</c> (one file per package, as
/// distroless images have it, without a <c>Status</c> field). A package counts when its status says
/// <c>installed</c>, which is what <c>dpkg-query -W</c> lists on a system with no half-removed package.
/// </summary>
internal static class DpkgDatabase
{
    public static IEnumerable<InstalledPackage> Read(byte[] database, string path, Func<string, IReadOnlyList<string>> licenses)
    {
        ArgumentNullException.ThrowIfNull(licenses);
        foreach (var fields in ControlParagraphs.Read(database))
        {
            if (!fields.TryGetValue("Package", out var name) || !fields.TryGetValue("Version", out var version)) continue;
            if (fields.TryGetValue("Status", out var status) && status.Split(' ', StringSplitOptions.RemoveEmptyEntries) is var words
                && (words.Length < 3 || words[2] != "installed")) continue;
            var (sourceName, sourceVersion) = Source(fields.GetValueOrDefault("Source"));
            yield return new InstalledPackage("deb", name, version, fields.GetValueOrDefault("Architecture"), sourceName, sourceVersion, licenses(name), path);
        }
    }

    /// <summary><c>Source: glibc (2.36-9+deb12u4)</c> → (glibc, 2.36-9+deb12u4); <c>Source: zlib</c> → (zlib, null).</summary>
    internal static (string? Name, string? Version) Source(string? field)
    {
        if (string.IsNullOrWhiteSpace(field)) return (null, null);
        int open = field.IndexOf('(');
        if (open < 0) return (field.Trim(), null);
        int close = field.IndexOf(')', open);
        return (field[..open].Trim(), close > open ? field[(open + 1)..close].Trim() : null);
    }
}
