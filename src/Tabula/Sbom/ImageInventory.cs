using Tabula.Images;
using Tabula.Layers;

namespace Tabula.Sbom;

/// <summary>
/// What an image has installed: its OS (from <c>os-release</c>) and the packages of its dpkg and apk databases,
/// sorted (type, name, architecture, version) so that the same image always gives the same list. rpm databases are
/// not read: today's are SQLite files, which would need a native library.
/// </summary>
internal sealed record ImageInventory(OsRelease? Os, IReadOnlyList<InstalledPackage> Packages)
{
    private const int MaxLinks = 8;

    public static async Task<ImageInventory> ReadAsync(IImage image, CancellationToken cancellationToken)
    {
        var files = await PackageFileScanner.ReadAsync(image, cancellationToken).ConfigureAwait(false);
        return From(files);
    }

    internal static ImageInventory From(IReadOnlyDictionary<string, PackageFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var os = (Find(files, PackagePaths.EtcOsRelease) ?? Find(files, PackagePaths.UsrLibOsRelease))?.Content is { } release ? OsRelease.Parse(release) : null;
        var packages = new List<InstalledPackage>();
        IReadOnlyList<string> Licenses(string package) => Find(files, PackagePaths.CopyrightOf(package))?.Licenses ?? [];
        foreach (var (path, file) in files)
        {
            if (file.Content is not { } content) continue;
            if (path == PackagePaths.DpkgStatus || path.StartsWith(PackagePaths.DpkgStatusDirectory + "/", StringComparison.Ordinal))
                packages.AddRange(DpkgDatabase.Read(content, "/" + path, Licenses));
            else if (path == PackagePaths.ApkInstalled)
                packages.AddRange(ApkDatabase.Read(content, "/" + path));
        }
        packages.Sort((a, b) => Compare(a, b));
        return new ImageInventory(os, packages);
    }

    private static int Compare(InstalledPackage a, InstalledPackage b)
    {
        int c = string.CompareOrdinal(a.Type, b.Type);
        if (c == 0) c = string.CompareOrdinal(a.Name, b.Name);
        if (c == 0) c = string.CompareOrdinal(a.Architecture, b.Architecture);
        if (c == 0) c = string.CompareOrdinal(a.Version, b.Version);
        return c == 0 ? string.CompareOrdinal(a.Database, b.Database) : c;
    }

    /// <summary>The kept file at a path, following symlinks at it and at its folder (a doc folder is often a link to another package's).</summary>
    private static PackageFile? Find(IReadOnlyDictionary<string, PackageFile> files, string path)
    {
        for (int hop = 0; hop <= MaxLinks; hop++)
        {
            if (files.TryGetValue(path, out var file))
            {
                if (file.LinkTarget is not { } target) return file;
                path = Follow(LayerPath.ParentOf(path), target);
                continue;
            }
            var folder = LayerPath.ParentOf(path);
            if (folder.Length == 0 || !files.TryGetValue(folder, out var link) || link.LinkTarget is not { } folderTarget) return null;
            path = LayerPath.Join(Follow(LayerPath.ParentOf(folder), folderTarget), LayerPath.NameOf(path));
        }
        return null;
    }

    private static string Follow(string directory, string target) => LayerPath.Clean(target.StartsWith('/') ? target : directory + "/" + target);
}
