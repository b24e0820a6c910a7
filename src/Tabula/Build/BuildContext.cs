using Tabula.Dockerfile;
using Tabula.Dockerfile.Ignore;
using Tabula.Layers;

namespace Tabula.Build;

/// <summary>
/// The files a build may read: a folder, less what <c>.dockerignore</c> excludes. Source paths are resolved inside
/// it as BuildKit does (<c>..</c> is clamped at the context root), so no build step can read outside it.
/// </summary>
internal sealed class BuildContext
{
    private readonly DockerignoreMatcher _ignore;

    private BuildContext(string root, DockerignoreMatcher ignore)
    {
        Root = root;
        _ignore = ignore;
    }

    public string Root { get; }

    /// <summary>The .dockerignore's patterns (the CopyIgnoredFile check reads them).</summary>
    public DockerignoreMatcher Ignore => _ignore;

    public static BuildContext Open(string directory, string? dockerfilePath)
    {
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"build context {directory} is not a directory");
        return new BuildContext(root, DockerignoreLocator.Load(root, dockerfilePath ?? Path.Combine(root, DockerfileLocator.DefaultName)));
    }

    /// <summary>Whether the context-relative path (no leading slash) is excluded by .dockerignore.</summary>
    public bool IsIgnored(string relativePath) => relativePath.Length > 0 && _ignore.IsIgnored(relativePath);

    /// <summary>Whether nothing below this ignored directory can be re-included by a later <c>!</c> pattern.</summary>
    public bool CanSkipDirectory(string relativePath) => relativePath.Length > 0 && _ignore.CanSkipDirectory(relativePath);

    /// <summary>
    /// The context entries a COPY/ADD source names: one exact path, or every match of a wildcard pattern
    /// (each component matched with Go's filepath.Match), as context-relative paths in sorted order. With
    /// <paramref name="parents"/> (<c>COPY --parents</c>) a <c>**</c> component matches any number of components, as
    /// the include patterns BuildKit copies such a source with.
    /// </summary>
    public IReadOnlyList<string> Match(string source, bool parents = false)
    {
        var clean = Clean(source);
        if (!GlobPattern.HasMeta(clean))
        {
            return clean.Length == 0 || (PathExists(clean) && IsInContext(clean)) ? [clean] : [];
        }
        var matches = new List<string> { "" };
        foreach (var component in clean.Split('/'))
        {
            var next = new List<string>();
            if (parents && component == "**")
            {
                foreach (var parent in matches) next.AddRange(SelfAndDescendants(parent));
                matches = [.. next.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
                continue;
            }
            foreach (var parent in matches)
            {
                var dir = FullPath(parent);
                if (!Directory.Exists(dir)) continue;
                if (!GlobPattern.HasMeta(component))
                {
                    var candidate = Join(parent, component);
                    if (PathExists(candidate)) next.Add(candidate);
                    continue;
                }
                foreach (var child in Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal))
                    if (GlobPattern.Match(component, child)) next.Add(Join(parent, child!));
            }
            matches = next;
        }
        return matches.Where(IsInContext).ToList();
    }

    /// <summary>A path and, when it is a directory (not a symlink), every path below it.</summary>
    private IEnumerable<string> SelfAndDescendants(string relativePath)
    {
        yield return relativePath;
        if (Posix.Lstat(FullPath(relativePath)) is not { IsDirectory: true }) yield break;
        foreach (var child in Directory.EnumerateFileSystemEntries(FullPath(relativePath)).Select(Path.GetFileName).Order(StringComparer.Ordinal))
            foreach (var below in SelfAndDescendants(Join(relativePath, child!)))
                yield return below;
    }

    /// <summary>Whether a context path names a directory, once its symlinks are followed inside the context.</summary>
    public bool IsDirectory(string relativePath) => Directory.Exists(FullPath(Resolve(relativePath)));

    /// <summary>
    /// Whether an existing context path is part of the context BuildKit would receive: not ignored, or an ignored
    /// directory that holds something an exception pattern keeps (such a directory is sent as the parent of what it
    /// holds, so it can be a source).
    /// </summary>
    private bool IsInContext(string relativePath)
    {
        if (!IsIgnored(relativePath)) return true;
        var full = FullPath(relativePath);
        return Posix.Lstat(full) is { IsDirectory: true } && !CanSkipDirectory(relativePath)
            && ContextWalker.Walk(this, relativePath, null).Any();
    }

    /// <summary>
    /// Resolves a context path component by component, following symlinks as a chroot at the context root would,
    /// so a source can never reach a file outside the context. The result has no symlink in it.
    /// </summary>
    public string Resolve(string relativePath)
    {
        const int maxSymlinks = 255;
        var pending = new LinkedList<string>(relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = "";
        int hops = 0;
        while (pending.First is { } first)
        {
            pending.RemoveFirst();
            var name = first.Value;
            if (name == ".") continue;
            if (name == "..") { resolved = resolved.Contains('/') ? resolved[..resolved.LastIndexOf('/')] : ""; continue; }
            var candidate = resolved.Length == 0 ? name : resolved + "/" + name;
            if (new FileInfo(FullPath(candidate)).LinkTarget is { } link)
            {
                if (++hops > maxSymlinks) throw new FormatException($"too many levels of symbolic links at \"{relativePath}\" in the build context");
                if (link.StartsWith('/')) resolved = "";
                foreach (var part in link.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.AddFirst(part);
                continue;
            }
            resolved = candidate;
        }
        return resolved;
    }

    public string FullPath(string relativePath) => relativePath.Length == 0 ? Root : Path.Combine(Root, relativePath);

    /// <summary>Cleans a source path: slashes folded, <c>.</c> dropped, <c>..</c> clamped at the root, no leading slash.</summary>
    public static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    private bool PathExists(string relative)
    {
        var full = FullPath(relative);
        return File.Exists(full) || Directory.Exists(full) || new FileInfo(full).LinkTarget is not null;
    }

    private static string Join(string parent, string child) => parent.Length == 0 ? child : parent + "/" + child;
}
