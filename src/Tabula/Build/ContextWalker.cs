using Tabula.Dockerfile.Ignore;
using Tabula.Layers;

namespace Tabula.Build;

/// <summary>One file, directory or link of the build context that a walk yields.</summary>
/// <param name="ContextPath">Relative to the context root.</param>
/// <param name="SourcePath">Relative to the directory walked: what <c>--exclude</c> patterns and the destination use.</param>
/// <param name="FullPath">On disk.</param>
/// <param name="Status">Its <c>lstat</c>.</param>
/// <param name="Folder">The folder it is in, on disk: one string for all the entries of a folder.</param>
/// <param name="Name">Its name in that folder.</param>
internal sealed record ContextEntry(string ContextPath, string SourcePath, string FullPath, FileStatus Status, string Folder, string Name);

/// <summary>
/// Walks a directory of the build context as BuildKit's context transfer (fsutil's filtered walk) does: names in
/// sorted order (the order of a layer's entries, <see cref="LayerPathOrder"/>), symlinks not followed, nothing that <c>.dockerignore</c> or <c>--exclude</c> leaves out. An
/// excluded directory is entered only when an exception pattern could re-include something below it, and it is
/// yielded (with its own metadata) only right before the first kept entry inside it, so an excluded directory
/// never shows up empty. The copy and the cache key both walk with this, so they always see the same entries.
/// </summary>
internal static class ContextWalker
{
    public static IEnumerable<ContextEntry> Walk(BuildContext context, string relativeDirectory, DockerignoreMatcher? excludes)
        => Children(context, relativeDirectory, "", excludes, []);

    /// <param name="pending">The excluded directories above this one that nothing kept has needed yet, outermost first.</param>
    private static IEnumerable<ContextEntry> Children(BuildContext context, string relativeDirectory, string sourceDirectory,
        DockerignoreMatcher? excludes, List<ContextEntry> pending)
    {
        var folder = context.FullPath(relativeDirectory);
        var names = Directory.EnumerateFileSystemEntries(folder)
            .Select(p => Path.GetFileName(p)!)
            .Order(LayerPathOrder.Names)
            .ToList();
        foreach (var name in names)
        {
            var contextPath = Join(relativeDirectory, name);
            var sourcePath = Join(sourceDirectory, name);
            var full = context.FullPath(contextPath);
            if (Posix.Lstat(full) is not { } status) continue; // removed while the walk ran
            var entry = new ContextEntry(contextPath, sourcePath, full, status, folder, name);
            if (context.IsIgnored(contextPath) || excludes?.IsIgnored(sourcePath) == true)
            {
                if (!status.IsDirectory || context.CanSkipDirectory(contextPath) || excludes?.CanSkipDirectory(sourcePath) == true) continue;
                pending.Add(entry);
                foreach (var inner in Children(context, contextPath, sourcePath, excludes, pending)) yield return inner;
                if (pending.Count > 0 && ReferenceEquals(pending[^1], entry)) pending.RemoveAt(pending.Count - 1);
                continue;
            }
            foreach (var parent in pending) yield return parent;
            pending.Clear();
            yield return entry;
            if (status.IsDirectory)
                foreach (var inner in Children(context, contextPath, sourcePath, excludes, pending)) yield return inner;
        }
    }

    private static string Join(string parent, string child) => parent.Length == 0 ? child : parent + "/" + child;
}
