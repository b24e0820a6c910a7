using Tabula.Images;
using Tabula.IO;
using Tabula.Layers;

namespace Tabula.Sbom;

/// <summary>
/// Reads every layer of an image once, bottom up, as a stream, and keeps only what the final image shows at the
/// package paths (<see cref="PackagePaths"/>): later layers override earlier ones, whiteouts and opaque directories
/// delete. Memory holds those few files (the package databases, os-release) and each copyright file's license
/// names, never a layer.
/// </summary>
internal sealed class PackageFileScanner
{
    /// <summary>A package database larger than this is not a package database.</summary>
    public const int MaxDatabaseBytes = 64 << 20;

    /// <summary>Directories that may hold a kept path, so that a file or whiteout there must drop what is beneath.</summary>
    private static readonly HashSet<string> Ancestors = new(StringComparer.Ordinal)
    {
        "var", "var/lib", "var/lib/dpkg", PackagePaths.DpkgStatusDirectory, "lib", "lib/apk", "lib/apk/db", "etc", "usr", "usr/lib", "usr/share", PackagePaths.DocDirectory,
    };

    private readonly SortedDictionary<string, PackageFile> _files = new(StringComparer.Ordinal);

    public static async Task<IReadOnlyDictionary<string, PackageFile>> ReadAsync(IImage image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        var scanner = new PackageFileScanner();
        for (int i = 0; i < image.Layers.Count; i++)
        {
            await using var tar = new ReadAheadStream(await image.Layers[i].OpenUncompressedAsync(cancellationToken).ConfigureAwait(false));
            await scanner.ScanAsync(tar, i, cancellationToken).ConfigureAwait(false);
        }
        return scanner._files;
    }

    internal async Task ScanAsync(Stream uncompressedTar, int layer, CancellationToken cancellationToken)
    {
        var reader = new TarArchiveReader(uncompressedTar);
        while (await reader.NextAsync(cancellationToken).ConfigureAwait(false) is { } header)
        {
            string path = LayerPath.Clean(header.Name);
            if (path.Length == 0) continue;
            if (LayerPath.IsWhiteout(path, out var directory, out var deleted))
            {
                if (deleted is null) RemoveBeneath(directory, below: layer);
                else
                {
                    _files.Remove(deleted);
                    RemoveBeneath(deleted, below: int.MaxValue);
                }
                continue;
            }
            var type = header.Type;
            if (type != LayerEntryType.Directory && MayHoldKept(path)) RemoveBeneath(path, below: int.MaxValue);
            var kept = await KeepAsync(reader, path, type, header, layer, cancellationToken).ConfigureAwait(false);
            if (kept is not null) _files[path] = kept;
            else _files.Remove(path);
        }
        await reader.DrainAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<PackageFile?> KeepAsync(TarArchiveReader reader, string path, LayerEntryType? type, TarArchiveEntry header, int layer, CancellationToken cancellationToken)
    {
        bool database = PackagePaths.IsDatabase(path), copyright = PackagePaths.IsCopyright(path);
        if (!database && !copyright && !PackagePaths.IsDocFolder(path)) return null;
        switch (type)
        {
            case LayerEntryType.Symlink:
                return new PackageFile(layer, LinkTarget: header.LinkName);
            case LayerEntryType.Hardlink:
                return _files.TryGetValue(LayerPath.Clean(header.LinkName), out var target) ? target with { Layer = layer } : null;
            case LayerEntryType.RegularFile when database:
                if (header.Size > MaxDatabaseBytes)
                    throw new LayerFormatException($"layer {layer + 1}: /{path} is {header.Size} bytes, more than a package database holds ({MaxDatabaseBytes})") { EntryPath = path };
                var bytes = new byte[header.Size];
                await reader.OpenContent().ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
                return new PackageFile(layer, Content: bytes);
            case LayerEntryType.RegularFile when copyright:
                return new PackageFile(layer, Licenses: await DebianCopyright.ReadLicensesAsync(reader.OpenContent(), cancellationToken).ConfigureAwait(false));
            default:
                return null;
        }
    }

    private static bool MayHoldKept(string path) => Ancestors.Contains(path) || PackagePaths.IsDocFolder(path);

    /// <summary>Drops the kept paths beneath a directory that were written by a layer below <paramref name="below"/>.</summary>
    private void RemoveBeneath(string directory, int below)
    {
        var prefix = directory.Length == 0 ? "" : directory + "/";
        List<string>? doomed = null;
        foreach (var (path, file) in _files)
            if (path.StartsWith(prefix, StringComparison.Ordinal) && file.Layer < below) (doomed ??= []).Add(path);
        foreach (var path in doomed ?? []) _files.Remove(path);
    }
}
