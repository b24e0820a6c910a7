namespace Tabula.Dockerfile.Checks;

/// <summary>
/// The warnings of one Dockerfile's checks, as BuildKit's linter gathers them: a rule its options skip is dropped;
/// every rule that did warn is remembered for <c>error=true</c>. Stages may be checked side by side.
/// </summary>
internal sealed class CheckReport(CheckOptions options)
{
    private readonly Lock _lock = new();
    private readonly List<CheckWarning> _warnings = [];

    public CheckOptions Options => options;

    /// <summary>The warnings so far, in the order they were found.</summary>
    public IReadOnlyList<CheckWarning> Warnings
    {
        get
        {
            lock (_lock) return _warnings.ToArray();
        }
    }

    /// <summary>Records a warning unless its rule is skipped, by the options or by a <c># check=</c> in <paramref name="comments"/>.</summary>
    public void Report(CheckRule rule, SourceLocation location, string detail, IReadOnlyList<string>? comments = null)
    {
        var effective = comments is { Count: > 0 } ? options.ForComments(comments) : options;
        if (!effective.Runs(rule)) return;
        lock (_lock) _warnings.Add(new CheckWarning(rule, detail, location));
    }

    /// <summary>
    /// With <c>error=true</c> and a warning: BuildKit's <c>lint violation found for rules: A, B</c>, at the first
    /// warning's line; otherwise null.
    /// </summary>
    public DockerfileException? Violation
    {
        get
        {
            if (!options.Error) return null;
            var sorted = Sorted();
            if (sorted.Count == 0) return null;
            var rules = sorted.Select(w => w.RuleName).Distinct();
            return new DockerfileException(sorted[0].Location, "lint violation found for rules: " + string.Join(", ", rules));
        }
    }

    /// <summary>The warnings in BuildKit's printing order: by line, then by message.</summary>
    public IReadOnlyList<CheckWarning> Sorted() =>
        Warnings.OrderBy(w => w.Location.StartLine).ThenBy(w => w.Detail, StringComparer.Ordinal).ToList();
}
