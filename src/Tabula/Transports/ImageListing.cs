using Tabula.Oci;

namespace Tabula.Transports;

/// <summary>One row of <c>images</c>: an image under one of its names (<c>&lt;none&gt;</c> for an unnamed one).</summary>
internal sealed record ImageListEntry(ImageSummary Summary, string Repository, string Tag);

/// <summary>The store's images as docker's <c>images</c> lists them: a row a name, newest first, optionally filtered.</summary>
internal static class ImageListing
{
    public const string None = "<none>";

    /// <param name="filter"><c>REPOSITORY</c> or <c>REPOSITORY:TAG</c>, in familiar or full form; null for all.</param>
    public static async Task<IReadOnlyList<ImageListEntry>> ListAsync(ImageStore store, string? filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var rows = new List<ImageListEntry>();
        foreach (var stored in await store.Resolver.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            var summary = await ImageSummary.LoadAsync(store, stored, cancellationToken).ConfigureAwait(false);
            if (stored.Names.Count == 0) rows.Add(new ImageListEntry(summary, None, None));
            foreach (var name in stored.Names) rows.Add(new ImageListEntry(summary, name.FamiliarName, name.Tag ?? None));
        }
        return rows
            .Where(row => filter is null || Matches(filter, row.Repository, row.Tag))
            .OrderByDescending(row => row.Summary.Created ?? DateTimeOffset.MinValue)
            .ThenBy(row => row.Repository, StringComparer.Ordinal)
            .ThenBy(row => row.Tag, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Whether a row shows through <paramref name="filter"/>: the same repository (<c>alpine</c> matches
    /// <c>docker.io/library/alpine</c>) and, when the filter has a tag, the same tag.
    /// </summary>
    public static bool Matches(string filter, string repository, string tag)
    {
        ArgumentNullException.ThrowIfNull(filter);
        int colon = filter.LastIndexOf(':');
        if (colon > filter.LastIndexOf('/'))
            return SameRepository(filter[..colon], repository) && filter[(colon + 1)..] == tag;
        return SameRepository(filter, repository);
    }

    private static bool SameRepository(string wanted, string repository)
        => wanted == repository
           || ImageReference.TryParse(wanted, out var a) && ImageReference.TryParse(repository, out var b) && a!.Name == b!.Name;
}
