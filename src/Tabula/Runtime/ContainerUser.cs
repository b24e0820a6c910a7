using System.Globalization;
using System.Text;
using Tabula.Layers;

namespace Tabula.Runtime;

/// <summary>The identity a container process runs as, resolved the way runc's user lookup (and BuildKit) does it.</summary>
internal sealed record ContainerUser(int Uid, int Gid, IReadOnlyList<int> AdditionalGids, string Home)
{
    public static ContainerUser Root { get; } = new(0, 0, [0], "/root");

    /// <summary>
    /// <c>user[:group]</c> with names or numbers, looked up in the image's own /etc/passwd and /etc/group (read
    /// through the tree, so never outside the image). A user without a group takes its primary group from
    /// /etc/passwd, or 0 when it is a number /etc/passwd does not list; supplementary groups are the primary one and,
    /// without an explicit group, every /etc/group entry that lists the user, as BuildKit gives them.
    /// </summary>
    public static Task<ContainerUser> ResolveAsync(string? spec, FileTree tree, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tree);
        return ResolveAsync(spec, (path, ct) => OpenAsync(tree, path, ct), cancellationToken);
    }

    /// <summary>The same, reading the image's files through <paramref name="openFile"/> (a path of the image → its content, or null).</summary>
    public static async Task<ContainerUser> ResolveAsync(string? spec, Func<string, CancellationToken, ValueTask<Stream?>> openFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(openFile);
        var passwd = await ReadLinesAsync(openFile, "etc/passwd", cancellationToken).ConfigureAwait(false);
        var groups = await ReadLinesAsync(openFile, "etc/group", cancellationToken).ConfigureAwait(false);
        string user = string.IsNullOrEmpty(spec) ? "0" : spec;
        var parts = user.Split(':', 2);
        if (parts[0].Length == 0) throw new FormatException($"invalid user '{spec}': the user is empty");

        string[]? entry = passwd.FirstOrDefault(f => f.Length >= 7 && (f[0] == parts[0] || (ParseId(parts[0]) is { } n && ParseId(f[2]) == n)));
        int uid = ParseId(parts[0]) ?? (entry is not null && ParseId(entry[2]) is { } found ? found
            : throw new FormatException($"unable to find user {parts[0]}: no matching entries in /etc/passwd"));
        int gid;
        if (parts.Length == 2)
        {
            gid = ParseId(parts[1]) ?? (groups.FirstOrDefault(f => f.Length >= 3 && f[0] == parts[1]) is { } g && ParseId(g[2]) is { } id ? id
                : throw new FormatException($"unable to find group {parts[1]}: no matching entries in /etc/group"));
        }
        else
        {
            gid = entry is not null && ParseId(entry[3]) is { } primary ? primary : 0;
        }
        // runc's lookup (moby/sys/user) gives a user named without a group every group that lists it, in
        // /etc/group's order; BuildKit and docker then put the primary group first unless it is already there.
        var additional = new List<int>();
        if (entry is not null && parts.Length == 1)
        {
            foreach (var g in groups)
                if (g.Length >= 4 && g[3].Split(',').Contains(entry[0]) && ParseId(g[2]) is { } member)
                    additional.Add(member);
        }
        if (!additional.Contains(gid)) additional.Insert(0, gid);
        string home = entry is not null && entry[5].Length > 0 ? entry[5] : "/";
        return new ContainerUser(uid, gid, additional, home);
    }

    private static async ValueTask<Stream?> OpenAsync(FileTree tree, string path, CancellationToken cancellationToken)
    {
        var resolved = tree.Resolve(path);
        if (tree.Get(resolved.Path) is not { Entry.Type: LayerEntryType.RegularFile } file || file.Content is null) return null;
        return await file.Content.OpenAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<string[]>> ReadLinesAsync(Func<string, CancellationToken, ValueTask<Stream?>> openFile, string path, CancellationToken cancellationToken)
    {
        var lines = new List<string[]>();
        await using var stream = await openFile(path, cancellationToken).ConfigureAwait(false);
        if (stream is null) return lines;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            if (line.Length > 0 && line[0] != '#') lines.Add(line.Split(':'));
        return lines;
    }

    private static int? ParseId(string text)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}
