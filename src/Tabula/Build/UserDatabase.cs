using System.Globalization;
using System.Text;
using Tabula.Layers;

namespace Tabula.Build;

/// <summary>Resolves user and group names through the image's own /etc/passwd and /etc/group, as --chown and USER do.</summary>
internal static class UserDatabase
{
    /// <summary>
    /// <c>user[:group]</c> with names or numbers. Without a group, a user named in /etc/passwd takes its primary group
    /// from there and a numeric user takes its own id as the group, as BuildKit's file operations do.
    /// </summary>
    public static async Task<Ownership> ResolveChownAsync(string spec, FileTree tree, CancellationToken cancellationToken)
    {
        var parts = spec.Split(':', 2);
        if (parts[0].Length == 0) throw new FormatException($"invalid --chown '{spec}': the user is empty");
        var (uid, primaryGid) = await ResolveUserAsync(parts[0], tree, cancellationToken).ConfigureAwait(false);
        int gid = parts.Length == 2
            ? await ResolveGroupAsync(parts[1], tree, cancellationToken).ConfigureAwait(false)
            : primaryGid;
        return new Ownership(uid, gid);
    }

    private static async Task<(int Uid, int Gid)> ResolveUserAsync(string name, FileTree tree, CancellationToken cancellationToken)
    {
        if (ParseId(name) is { } id) return (id, id);
        var fields = await FindAsync(name, tree, "etc/passwd", "user", cancellationToken).ConfigureAwait(false);
        if (fields.Length >= 4 && ParseId(fields[2]) is { } uid && ParseId(fields[3]) is { } gid) return (uid, gid);
        throw new FormatException($"unable to find user {name}: invalid entry in /etc/passwd");
    }

    private static async Task<int> ResolveGroupAsync(string name, FileTree tree, CancellationToken cancellationToken)
    {
        if (ParseId(name) is { } id) return id;
        var fields = await FindAsync(name, tree, "etc/group", "group", cancellationToken).ConfigureAwait(false);
        return ParseId(fields[2]) ?? throw new FormatException($"unable to find group {name}: invalid entry in /etc/group");
    }

    /// <summary>The colon-separated fields of the first line of <paramref name="database"/> whose first field is the name.</summary>
    private static async Task<string[]> FindAsync(string name, FileTree tree, string database, string what, CancellationToken cancellationToken)
    {
        var entry = tree.Get(database);
        if (entry?.Content is null)
            throw new FormatException($"unable to find {what} {name}: no /{database} in the image; use a numeric id");
        await using var stream = await entry.Content.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == name) return fields;
        }
        throw new FormatException($"unable to find {what} {name}: no matching entries in /{database}");
    }

    private static int? ParseId(string text)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}
