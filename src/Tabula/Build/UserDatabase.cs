using System.Globalization;
using System.Text;
using Tabula.Layers;

namespace Tabula.Build;

/// <summary>Resolves user and group names through the image's own /etc/passwd and /etc/group, as --chown and USER do.</summary>
internal static class UserDatabase
{
    /// <summary>
    /// <c>user[:group]</c> with names or numbers. A user without a group takes the user's numeric id as the group id,
    /// as docker documents for <c>--chown</c>.
    /// </summary>
    public static async Task<Ownership> ResolveChownAsync(string spec, FileTree tree, CancellationToken cancellationToken)
    {
        var parts = spec.Split(':', 2);
        if (parts[0].Length == 0) throw new FormatException($"invalid --chown '{spec}': the user is empty");
        int uid = await ResolveIdAsync(parts[0], tree, "etc/passwd", "user", cancellationToken).ConfigureAwait(false);
        int gid = parts.Length == 2
            ? await ResolveIdAsync(parts[1], tree, "etc/group", "group", cancellationToken).ConfigureAwait(false)
            : uid;
        return new Ownership(uid, gid);
    }

    private static async Task<int> ResolveIdAsync(string name, FileTree tree, string database, string what, CancellationToken cancellationToken)
    {
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return id;
        var entry = tree.Get(database);
        if (entry?.Content is null)
            throw new FormatException($"unable to find {what} {name}: no /{database} in the image; use a numeric id");
        await using var stream = await entry.Content.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == name && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var found))
                return found;
        }
        throw new FormatException($"unable to find {what} {name}: no matching entries in /{database}");
    }
}
