using System.Text;

namespace Tabula.Sbom;

/// <summary>Package URLs (purl spec): <c>pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS</c>, qualifiers sorted by key.</summary>
internal static class PackageUrl
{
    public static string For(InstalledPackage package, OsRelease? os)
    {
        ArgumentNullException.ThrowIfNull(package);
        var vendor = os?.Id ?? (package.Type == "apk" ? "alpine" : "debian");
        var qualifiers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (package.Architecture is { Length: > 0 } arch) qualifiers["arch"] = arch;
        if (os is not null) qualifiers["distro"] = os.Distro;
        // As syft writes it: the source package when it differs, with its version when that differs too.
        if (package.SourceName is { Length: > 0 } source && (source != package.Name || package.SourceVersion is not null && package.SourceVersion != package.Version))
            qualifiers["upstream"] = package.SourceVersion is { Length: > 0 } sv && sv != package.Version ? $"{source}@{sv}" : source;
        var text = new StringBuilder("pkg:").Append(package.Type).Append('/').Append(Encode(vendor.ToLowerInvariant())).Append('/').Append(Encode(package.Name))
            .Append('@').Append(Encode(package.Version));
        char separator = '?';
        foreach (var (key, value) in qualifiers)
        {
            text.Append(separator).Append(key).Append('=').Append(Encode(value));
            separator = '&';
        }
        return text.ToString();
    }

    /// <summary>Percent-encodes all but the characters the purl spec leaves as they are (so <c>1:2.3</c> is <c>1%3A2.3</c>).</summary>
    internal static string Encode(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            char c = (char)b;
            if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '-' or '_' or '~' or '+') text.Append(c);
            else text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }
}
