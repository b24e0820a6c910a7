using Tabula.Content;

namespace Tabula.Transports;

/// <summary>
/// docker's <c>images --filter KEY=VALUE</c>: <c>reference</c> (a glob over the familiar name or name:tag),
/// <c>dangling</c>, <c>label</c> (a key, or key=value), <c>before</c> and <c>since</c> (created before or after
/// another image). Values of one key are alternatives; different keys must all match, as in docker.
/// </summary>
internal sealed class ImageFilters
{
    private static readonly string[] Keys = ["reference", "dangling", "label", "before", "since"];

    private readonly Dictionary<string, List<string>> _values;

    private ImageFilters(Dictionary<string, List<string>> values) => _values = values;

    public static ImageFilters None { get; } = new([]);

    /// <summary>Parses <c>KEY=VALUE</c> words; an unknown key or a bad value is an <see cref="InvalidFilterException"/> naming it.</summary>
    public static ImageFilters Parse(IEnumerable<string> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var filter in filters)
        {
            int eq = filter.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new InvalidFilterException($"bad format of filter '{filter}' (expected name=value)");
            var key = filter[..eq].ToLowerInvariant();
            var value = filter[(eq + 1)..];
            if (!Keys.Contains(key)) throw new InvalidFilterException($"invalid filter '{key}': use {string.Join(", ", Keys)}");
            if (key == "dangling" && value is not ("true" or "false" or "1" or "0"))
                throw new InvalidFilterException($"invalid filter 'dangling={value}': use true or false");
            if (!values.TryGetValue(key, out var list)) values[key] = list = [];
            list.Add(value);
        }
        return new ImageFilters(values);
    }

    /// <summary>Keeps the rows that pass; <c>before</c>/<c>since</c> name images that must exist.</summary>
    public async Task<IReadOnlyList<ImageListEntry>> ApplyAsync(ImageStore store, IReadOnlyList<ImageListEntry> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(rows);
        if (_values.Count == 0) return rows;
        var before = await CreatedOfAsync(store, rows, "before", cancellationToken).ConfigureAwait(false);
        var since = await CreatedOfAsync(store, rows, "since", cancellationToken).ConfigureAwait(false);
        return rows.Where(row =>
            Passes("reference", value => MatchesReference(value, row))
            && Passes("dangling", value => (value is "true" or "1") == (row.Repository == ImageListing.None))
            && Passes("label", value => HasLabel(row, value))
            && (before.Count == 0 || before.Any(t => row.Summary.Created < t))
            && (since.Count == 0 || since.Any(t => row.Summary.Created > t))).ToList();
    }

    private bool Passes(string key, Func<string, bool> test) => !_values.TryGetValue(key, out var values) || values.Any(test);

    /// <summary>The creation times of the images a key names; an image already listed is not read again.</summary>
    private async Task<List<DateTimeOffset>> CreatedOfAsync(ImageStore store, IReadOnlyList<ImageListEntry> rows, string key, CancellationToken cancellationToken)
    {
        var times = new List<DateTimeOffset>();
        foreach (var name in _values.GetValueOrDefault(key) ?? [])
        {
            var stored = await store.Resolver.TryResolveAsync(name, cancellationToken).ConfigureAwait(false)
                         ?? throw new ImageNotFoundException(name, $" (filter {key}={name})");
            var summary = rows.FirstOrDefault(r => r.Summary.Stored.Manifest.Digest == stored.Manifest.Digest)?.Summary
                          ?? await ImageSummary.LoadAsync(store, stored, cancellationToken).ConfigureAwait(false);
            times.Add(summary.Created ?? DateTimeOffset.MinValue);
        }
        return times;
    }

    private static bool MatchesReference(string pattern, ImageListEntry row)
        => row.Repository != ImageListing.None
           && (Glob.Matches(pattern, row.Repository) || Glob.Matches(pattern, $"{row.Repository}:{row.Tag}"));

    private static bool HasLabel(ImageListEntry row, string wanted)
    {
        var labels = row.Summary.Image?.Config.Config?.Labels;
        if (labels is null) return false;
        int eq = wanted.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? labels.ContainsKey(wanted) : labels.TryGetValue(wanted[..eq], out var value) && value == wanted[(eq + 1)..];
    }

    /// <summary>Go's <c>path.Match</c> as docker uses it for references: <c>*</c> and <c>?</c> stop at <c>/</c>.</summary>
    private static class Glob
    {
        public static bool Matches(string pattern, string text) => Match(pattern.AsSpan(), text.AsSpan());

        private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
        {
            while (pattern.Length > 0)
            {
                switch (pattern[0])
                {
                    case '*':
                        for (int i = 0; i <= text.Length; i++)
                        {
                            if (Match(pattern[1..], text[i..])) return true;
                            if (i < text.Length && text[i] == '/') return false;
                        }
                        return false;
                    case '?':
                        if (text.Length == 0 || text[0] == '/') return false;
                        break;
                    default:
                        if (text.Length == 0 || text[0] != pattern[0]) return false;
                        break;
                }
                pattern = pattern[1..];
                text = text[1..];
            }
            return text.Length == 0;
        }
    }
}
