namespace Tabula.Sbom;

/// <summary>
/// apk's database, <c>/lib/apk/db/installed</c>: a stanza per package with one-letter fields — <c>P</c> name,
/// <c>V</c> version, <c>A</c> architecture, <c>L</c> license (an SPDX-style expression), <c>o</c> origin (the
/// source package). Every stanza is an installed package.
/// </summary>
internal static class ApkDatabase
{
    public static IEnumerable<InstalledPackage> Read(byte[] database, string path)
    {
        foreach (var fields in ControlParagraphs.Read(database))
        {
            if (!fields.TryGetValue("P", out var name) || !fields.TryGetValue("V", out var version)) continue;
            IReadOnlyList<string> licenses = fields.TryGetValue("L", out var license) && license.Length > 0 ? [license] : [];
            yield return new InstalledPackage("apk", name, version, fields.GetValueOrDefault("A"), fields.GetValueOrDefault("o"), null, licenses, path);
        }
    }
}
