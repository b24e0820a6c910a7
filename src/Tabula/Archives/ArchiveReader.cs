using Tabula.Archives.Docker;
using Tabula.Archives.Tar;
using Tabula.Oci;

namespace Tabula.Archives;

/// <summary>How to read an archive.</summary>
/// <param name="Platform">The platform chosen where an archive holds a multi-platform index (the host's by default).</param>
/// <param name="TempDirectory">Where a compressed or streamed archive is unpacked to (the system temp folder by default).</param>
/// <param name="KeepIndexes">Give the indexes an OCI layout names as <see cref="ArchiveReader.Indexes"/>, not one platform's image.</param>
internal sealed record ArchiveReadOptions(Platform? Platform = null, string? TempDirectory = null, bool KeepIndexes = false);

/// <summary>
/// Opens a docker-archive (legacy or Docker 25+ layout) or an oci-archive, plain or compressed, and gives its images
/// with their names. Manifests and configs are read and verified on open; layers stay in the archive and are
/// verified when read. The images are usable until this reader is disposed.
/// </summary>
internal sealed class ArchiveReader : IDisposable
{
    private readonly ArchiveFile _archive;

    private ArchiveReader(ArchiveFile archive, ArchiveFormat format, IReadOnlyList<ArchiveImage> images, IReadOnlyList<ArchiveIndex> indexes)
    {
        _archive = archive;
        Format = format;
        Images = images;
        Indexes = indexes;
    }

    public ArchiveFormat Format { get; }

    public IReadOnlyList<ArchiveImage> Images { get; }

    /// <summary>Indexes the archive names, kept whole when <see cref="ArchiveReadOptions.KeepIndexes"/> asks; their blobs are read through <see cref="Archive"/>.</summary>
    public IReadOnlyList<ArchiveIndex> Indexes { get; }

    internal ArchiveFile Archive => _archive;

    /// <summary>The archive as messages name it (its path, or "stdin").</summary>
    public string DisplayName => _archive.DisplayName;

    public static async Task<ArchiveReader> OpenAsync(string path, ArchiveReadOptions? options, CancellationToken cancellationToken)
    {
        options ??= new ArchiveReadOptions();
        var archive = await ArchiveFile.OpenAsync(path, options.TempDirectory, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(archive, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads an archive arriving on a stream (such as stdin); it is staged in a temp file.</summary>
    public static async Task<ArchiveReader> OpenAsync(Stream source, string displayName, ArchiveReadOptions? options, CancellationToken cancellationToken)
    {
        options ??= new ArchiveReadOptions();
        var archive = await ArchiveFile.OpenAsync(source, displayName, options.TempDirectory, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(archive, options, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ArchiveReader> ReadAsync(ArchiveFile archive, ArchiveReadOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var (format, images, indexes) = await DetectAndReadAsync(archive, options, cancellationToken).ConfigureAwait(false);
            return new ArchiveReader(archive, format, images, indexes);
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    private static async Task<(ArchiveFormat, IReadOnlyList<ArchiveImage>, IReadOnlyList<ArchiveIndex>)> DetectAndReadAsync(ArchiveFile archive, ArchiveReadOptions options, CancellationToken cancellationToken)
    {
        bool hasDockerManifest = archive.Contains(DockerManifestFile.ManifestName);
        bool hasOciIndex = archive.Contains(OciLayoutPlan.IndexFile);
        if (hasOciIndex)
        {
            var (images, indexes) = await OciArchiveReader.ReadAsync(archive, options.Platform ?? Platform.Host, options.KeepIndexes, cancellationToken).ConfigureAwait(false);
            var broken = images.FirstOrDefault(i => i.Image.Layers.Count != i.Image.Config.RootFs.DiffIds.Count);
            if (broken is null)
                return hasDockerManifest
                    ? (ArchiveFormat.DockerOci, await AddDockerNamesAsync(archive, images, cancellationToken).ConfigureAwait(false), indexes)
                    : (ArchiveFormat.Oci, images, indexes);
            // Docker 25.0 wrote index.json manifests missing their layers; its manifest.json is the reliable part then.
            if (!hasDockerManifest)
                throw new ArchiveFormatException($"{archive.DisplayName}: image {broken.Image.ConfigDigest.Short} has {broken.Image.Layers.Count} layers but its config lists {broken.Image.Config.RootFs.DiffIds.Count} diff IDs; the archive is damaged");
        }
        if (hasDockerManifest)
        {
            var images = await DockerArchiveReader.ReadAsync(archive, cancellationToken).ConfigureAwait(false);
            return (hasOciIndex ? ArchiveFormat.DockerOci : ArchiveFormat.Docker, images, []);
        }
        if (archive.Contains(DockerManifestFile.RepositoriesName))
            throw new ArchiveFormatException($"{archive.DisplayName} is a docker archive from before Docker 1.10 (no manifest.json); load it with an older docker and save it again");
        throw new ArchiveFormatException($"{archive.DisplayName} is not an image archive: it has neither manifest.json (docker-archive) nor index.json (oci-archive)");
    }

    /// <summary>Unnamed images of a Docker 25+ layout take their names from manifest.json's RepoTags.</summary>
    private static async Task<IReadOnlyList<ArchiveImage>> AddDockerNamesAsync(ArchiveFile archive, IReadOnlyList<ArchiveImage> images, CancellationToken cancellationToken)
    {
        var bytes = await archive.ReadAllBytesAsync(DockerManifestFile.ManifestName, "the image list", cancellationToken).ConfigureAwait(false);
        var items = DockerManifestFile.Parse(bytes, archive.DisplayName);
        return images.Select(image =>
        {
            if (image.Names.Count > 0) return image;
            var tags = items.Where(i => ConfigDigestOf(i.Config) == image.Image.ConfigDigest).SelectMany(i => i.RepoTags ?? []);
            return image with { Names = DockerArchiveReader.ParseNames(tags, archive.DisplayName) };
        }).ToList();
    }

    /// <summary>The digest a config file's name promises: <c>&lt;hex&gt;.json</c> (legacy) or <c>blobs/sha256/&lt;hex&gt;</c>.</summary>
    internal static Digest? ConfigDigestOf(string path)
    {
        var name = path.Split('/')[^1];
        if (name.EndsWith(".json", StringComparison.Ordinal)) name = name[..^5];
        return Digest.TryParse($"{Digest.Sha256}:{name}", out var digest) ? digest : null;
    }

    public void Dispose() => _archive.Dispose();
}
