using Tabula.Dockerfile;
using Tabula.Layers;

namespace Tabula.Build;

/// <summary>
/// <c>COPY --from</c>: copies from another stage's (or image's) file tree. Entries keep their owner unless
/// <c>--chown</c> is given, as BuildKit does; content is read from where it lives when the layer is written.
/// </summary>
internal sealed class TreeCopier(FileTree upper, Placement placement)
{
    /// <param name="pivot">With <c>--parents</c>, the clean part of the source before a <c>/./</c> pivot (else empty):
    /// only what follows it is recreated under the destination.</param>
    public void Copy(FileTree source, string pivot, string pattern, int sourceCount, TransferRequest request)
    {
        var matches = Match(source, LayerPath.Join(pivot, LayerPath.Clean(pattern)), placement.KeepParents);
        if (matches.Count == 0)
        {
            // BuildKit lets a wildcard match nothing; the destination directory is still made.
            if (!GlobPattern.HasMeta(pattern) && !GlobPattern.HasMeta(pivot))
                throw new DockerfileException(request.Location, $"COPY --from={request.From} failed: \"{pattern}\" not found");
            if (placement.DestinationIsDirectory) CopyTargets.Destination(upper, placement.Path, placement.Directories);
            return;
        }
        bool many = sourceCount > 1 || matches.Count > 1;
        foreach (var match in matches)
        {
            var kept = ParentsPivot.Kept(pivot, match);
            var resolved = source.Resolve(match);
            if (resolved.IsDirectory)
            {
                var destination = CopyTargets.Destination(upper, placement.Path, placement.Directories);
                if (placement.KeepParents) CopyTargets.CheckBelow(upper, destination, kept);
                var target = placement.KeepParents ? LayerPath.Join(destination, kept) : destination;
                if (target.Length > 0) upper.EnsureDirectory(target, placement.Directories);
                var prefix = resolved.Path.Length == 0 ? "" : resolved.Path + "/";
                foreach (var item in source.Entries.Where(e => e.Entry.Path.StartsWith(prefix, StringComparison.Ordinal)))
                {
                    // --exclude patterns match paths relative to the source directory, as for context sources.
                    var relative = item.Entry.Path[prefix.Length..];
                    if (placement.Excludes?.IsIgnored(relative) == true) continue;
                    Put(item, LayerPath.Join(target, relative));
                }
                if (!placement.KeepParents && resolved.Entry is { } sourceDirectory) placement.TakeSourceTime(upper, target, sourceDirectory.ModTime);
                continue;
            }
            var entry = resolved.Entry is null ? null : source.Get(resolved.Path);
            if (entry is null)
                throw new DockerfileException(request.Location, $"COPY --from={request.From} failed: \"{match}\" not found");
            var name = LayerPath.NameOf(match);
            string path = placement.KeepParents ? LayerPath.Join(placement.Path, kept)
                : many || placement.DestinationIsDirectory || upper.Resolve(placement.Path).IsDirectory ? LayerPath.Join(placement.Path, name)
                : placement.Path;
            Put(entry, path);
        }
    }

    private void Put(TreeEntry item, string path)
    {
        var e = item.Entry;
        var owner = placement.Rewrites.ApplyOwner(e.Uid, e.Gid);
        // A hardlink group is copied as separate files: its other paths may lie outside what is copied.
        var type = e.Type == LayerEntryType.Hardlink ? LayerEntryType.RegularFile : e.Type;
        CopyTargets.Check(upper, path, type);
        upper.Put(e with
        {
            Path = path,
            Type = type,
            Mode = placement.Rewrites.ApplyMode(type, e.Mode),
            Uid = owner.Uid,
            Gid = owner.Gid,
            ModTime = placement.Rewrites.ApplyTime(e.ModTime),
        }, item.Content, placement.Directories);
    }

    /// <summary>
    /// Exact paths, or wildcard patterns matched component by component against the tree's entries; with
    /// <paramref name="parents"/> a <c>**</c> component matches any number of them, as BuildKit's include patterns do.
    /// </summary>
    private static List<string> Match(FileTree source, string pattern, bool parents)
    {
        if (!GlobPattern.HasMeta(pattern))
            return pattern.Length == 0 || source.Resolve(pattern).Exists ? [pattern] : [];
        var parts = pattern.Split('/');
        return source.Entries
            .Select(e => e.Entry.Path)
            .Where(p =>
            {
                var names = p.Split('/');
                return parents ? GlobPattern.MatchPath(parts, names)
                    : names.Length == parts.Length && names.Zip(parts).All(pair => GlobPattern.Match(pair.Second, pair.First));
            })
            .ToList();
    }
}
