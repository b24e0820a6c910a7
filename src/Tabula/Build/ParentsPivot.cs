namespace Tabula.Build;

/// <summary>
/// <c>COPY --parents</c>: a <c>/./</c> pivot in a source splits it into the part that is only looked up and the part
/// recreated under the destination (BuildKit); without a pivot the whole path is recreated.
/// </summary>
internal static class ParentsPivot
{
    /// <summary>Both halves clean and context-relative; either may be empty (<c>./</c>, <c>./x/./</c>).</summary>
    public static (string Pivot, string Pattern) Split(string source)
    {
        int at = source.IndexOf("/./", StringComparison.Ordinal);
        return at < 0 ? ("", BuildContext.Clean(source)) : (BuildContext.Clean(source[..at]), BuildContext.Clean(source[(at + 3)..]));
    }

    /// <summary>
    /// What of <paramref name="match"/> (a path under <paramref name="pivot"/>) is recreated: empty for the pivot itself.
    /// Counted in components, since a pivot may hold wildcards (<c>a/b*/./c</c>) and so differ in length from what it matched.
    /// </summary>
    public static string Kept(string pivot, string match)
        => pivot.Length == 0 ? match : string.Join('/', match.Split('/').Skip(pivot.Split('/').Length));
}
