namespace Tabula.Tests.Integration.Support;

/// <summary>Compares two listings entry by entry and says what differs in words a reader can act on.</summary>
public static class TarDiff
{
    /// <summary>One line per difference: missing entries, extra entries, and each differing field.</summary>
    public static IReadOnlyList<string> Compare(IReadOnlyList<TarRecord> expected, IReadOnlyList<TarRecord> actual)
    {
        var differences = Duplicates(expected, "expected").Concat(Duplicates(actual, "actual")).ToList();
        var expectedByPath = LastByPath(expected);
        var actualByPath = LastByPath(actual);
        foreach (var path in expectedByPath.Keys.Union(actualByPath.Keys).Order(StringComparer.Ordinal))
        {
            var inExpected = expectedByPath.TryGetValue(path, out var want);
            var inActual = actualByPath.TryGetValue(path, out var got);
            if (!inActual)
                differences.Add($"missing: {want}");
            else if (!inExpected)
                differences.Add($"extra:   {got}");
            else if (want != got)
                differences.Add($"{path}: {string.Join(", ", FieldDifferences(want!, got!))}");
        }
        return differences;
    }

    /// <summary>Fails with every difference (the first 50) when the listings are not the same.</summary>
    public static void AssertSame(
        IReadOnlyList<TarRecord> expected, IReadOnlyList<TarRecord> actual, string expectedName = "expected", string actualName = "actual")
    {
        var differences = Compare(expected, actual);
        if (differences.Count > 0)
            Assert.Fail($"{differences.Count} differences between {expectedName} ({expected.Count} entries) and {actualName} ({actual.Count} entries):\n"
                        + string.Join('\n', differences.Take(50)));
    }

    /// <summary>With a path listed twice, the later entry is the one an extraction keeps.</summary>
    private static Dictionary<string, TarRecord> LastByPath(IReadOnlyList<TarRecord> listing) =>
        listing.GroupBy(record => record.Path, StringComparer.Ordinal).ToDictionary(group => group.Key, group => group.Last(), StringComparer.Ordinal);

    private static IEnumerable<string> Duplicates(IReadOnlyList<TarRecord> listing, string name) =>
        listing.GroupBy(record => record.Path, StringComparer.Ordinal)
            .Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {group.Count()} entries in {name}");

    private static IEnumerable<string> FieldDifferences(TarRecord want, TarRecord got)
    {
        if (want.Type != got.Type) yield return $"type {want.Type} ≠ {got.Type}";
        if (want.Mode != got.Mode) yield return $"mode {want.OctalMode} ≠ {got.OctalMode}";
        if (want.Uid != got.Uid || want.Gid != got.Gid) yield return $"owner {want.Uid}/{want.Gid} ≠ {got.Uid}/{got.Gid}";
        if (want.Size != got.Size) yield return $"size {want.Size} ≠ {got.Size}";
        if (want.ModifiedUnixSeconds != got.ModifiedUnixSeconds) yield return $"mtime {want.ModifiedUnixSeconds} ≠ {got.ModifiedUnixSeconds}";
        if (want.LinkTarget != got.LinkTarget) yield return $"link {want.LinkTarget ?? "(none)"} ≠ {got.LinkTarget ?? "(none)"}";
        if (want.Sha256 != got.Sha256) yield return "content differs";
    }
}
