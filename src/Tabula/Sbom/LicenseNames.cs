using System.Collections.Frozen;
using System.Text;

namespace Tabula.Sbom;

/// <summary>
/// License names as package metadata writes them (Debian's short names such as <c>GPL-2+</c>, <c>Expat</c>; apk's
/// SPDX-style expressions) turned into SPDX license expressions: the names with an SPDX identifier get it, every other
/// name becomes a <c>LicenseRef-</c> (which the SPDX document then declares).
/// </summary>
internal static class LicenseNames
{
    /// <summary>Debian's names and the SPDX identifiers themselves, matched without regard to case.</summary>
    private static readonly FrozenDictionary<string, string> Known = BuildKnown();

    private static FrozenDictionary<string, string> BuildKnown()
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (family, versions) in new[] { ("GPL", new[] { "1", "2", "3" }), ("LGPL", ["2", "2.1", "3"]), ("AGPL", ["3"]), ("GFDL", ["1.1", "1.2", "1.3"]) })
        {
            foreach (var v in versions)
            {
                var spdx = v.Contains('.', StringComparison.Ordinal) ? v : v + ".0";
                map[$"{family}-{v}"] = map[$"{family}-{spdx}"] = map[$"{family}-{spdx}-only"] = $"{family}-{spdx}-only";
                map[$"{family}-{v}+"] = map[$"{family}-{spdx}+"] = map[$"{family}-{spdx}-or-later"] = $"{family}-{spdx}-or-later";
            }
        }
        map["Expat"] = "MIT";
        map["BSD-2"] = "BSD-2-Clause";
        map["BSD-3"] = "BSD-3-Clause";
        map["BSD-4"] = "BSD-4-Clause";
        map["Apache-2"] = "Apache-2.0";
        map["MPL-2"] = "MPL-2.0";
        map["CC0"] = "CC0-1.0";
        map["PSF"] = "PSF-2.0";
        map["Artistic-2"] = "Artistic-2.0";
        foreach (var id in new[]
        {
            "MIT", "MIT-0", "BSD-2-Clause", "BSD-3-Clause", "BSD-4-Clause", "0BSD", "ISC", "Zlib", "Apache-2.0", "Apache-1.1", "Artistic-1.0", "Artistic-1.0-Perl",
            "Artistic-2.0", "MPL-1.1", "MPL-2.0", "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "PSF-2.0", "Python-2.0", "OpenSSL", "curl", "BSL-1.0", "X11",
            "Unlicense", "WTFPL", "Unicode-DFS-2016", "bzip2-1.0.6", "Libpng", "libtiff", "IJG", "FTL", "OFL-1.1", "Ruby", "PHP-3.01", "Vim", "Sleepycat",
            "EPL-1.0", "EPL-2.0", "LPPL-1.3c", "NTP", "HPND", "TCL", "ICU", "Beerware", "BSD-1-Clause", "PostgreSQL", "Unicode-3.0",
        })
        {
            map[id] = id;
        }
        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The SPDX identifier of one license name, or null when it has none here.</summary>
    public static string? SpdxId(string name) => Known.TryGetValue(name.Trim(), out var id) ? id : null;

    /// <summary>
    /// One SPDX expression for all the names (joined with AND: a package whose files carry several licenses is under
    /// all of them); <paramref name="references"/> collects each <c>LicenseRef-</c> made, with the name it stands for.
    /// </summary>
    public static string Expression(IReadOnlyList<string> names, IDictionary<string, string> references)
    {
        ArgumentNullException.ThrowIfNull(names);
        var parts = names.Select(n => Convert(n, references)).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        return parts.Count switch
        {
            0 => "NOASSERTION",
            1 => parts[0],
            _ => string.Join(" AND ", parts.Select(p => p.Contains(' ', StringComparison.Ordinal) ? $"({p})" : p)),
        };
    }

    /// <summary>One name or expression (<c>GPL-2+ or Artistic</c>, <c>MIT AND (BSD-3-Clause OR Zlib)</c>) as an SPDX expression.</summary>
    internal static string Convert(string text, IDictionary<string, string> references)
    {
        var output = new StringBuilder();
        var term = new List<string>();
        void Flush()
        {
            if (term.Count == 0) return;
            var name = string.Join(' ', term);
            term.Clear();
            if (output.Length > 0 && output[^1] != '(') output.Append(' ');
            output.Append(SpdxId(name) ?? Reference(name, references));
        }
        foreach (var token in Tokens(text))
        {
            if (token is "(" or ")" || token.Equals("and", StringComparison.OrdinalIgnoreCase) || token.Equals("or", StringComparison.OrdinalIgnoreCase))
            {
                Flush();
                if (token == ")") output.Append(')');
                else
                {
                    if (output.Length > 0 && output[^1] != '(') output.Append(' ');
                    output.Append(token == "(" ? "(" : token.ToUpperInvariant());
                }
            }
            else term.Add(token);
        }
        Flush();
        return output.ToString();
    }

    private static IEnumerable<string> Tokens(string text)
    {
        var word = new StringBuilder();
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c) || c is '(' or ')' or ',')
            {
                if (word.Length > 0) { yield return word.ToString(); word.Clear(); }
                if (c is '(' or ')') yield return c.ToString();
            }
            else word.Append(c);
        }
        if (word.Length > 0) yield return word.ToString();
    }

    private static string Reference(string name, IDictionary<string, string> references)
    {
        var id = new StringBuilder("LicenseRef-");
        foreach (char c in name)
        {
            char k = char.IsAsciiLetterOrDigit(c) || c == '.' ? c : c == '+' ? '+' : '-';
            if (k == '+') { id.Append("-or-later"); continue; }
            if (k == '-' && id[^1] == '-') continue;
            id.Append(k);
        }
        var reference = id.ToString().TrimEnd('-');
        references.TryAdd(reference, name);
        return reference;
    }
}
