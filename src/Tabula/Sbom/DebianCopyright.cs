namespace Tabula.Sbom;

/// <summary>
/// The licenses a Debian <c>copyright</c> file names, when it is machine-readable (DEP-5: its first field is
/// <c>Format:</c>): the first line of each <c>License:</c> field. Read line by line as the file streams; free-form
/// copyright files give none (best effort, as their text has no structure to trust).
/// </summary>
internal static class DebianCopyright
{
    public static async Task<IReadOnlyList<string>> ReadLicensesAsync(Stream content, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(content, leaveOpen: true);
        var licenses = new SortedSet<string>(StringComparer.Ordinal);
        bool first = true;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (first)
            {
                if (line.Trim().Length == 0) continue;
                if (!line.StartsWith("Format:", StringComparison.OrdinalIgnoreCase)) return [];
                first = false;
                continue;
            }
            if (!line.StartsWith("License:", StringComparison.OrdinalIgnoreCase)) continue;
            var value = line["License:".Length..].Trim();
            if (value.Length > 0) licenses.Add(value);
        }
        return [.. licenses];
    }
}
