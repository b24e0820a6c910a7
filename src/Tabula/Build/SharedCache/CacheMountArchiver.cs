using Tabula.Archives;
using Tabula.Build.Mounts;
using Tabula.Content;
using Tabula.Images;
using Tabula.Layers;
using Tabula.Runtime;

namespace Tabula.Build.SharedCache;

/// <summary>A cache mount an export carries: its entry of the key map and its blob.</summary>
internal sealed record ExportedMount(CacheMountArchive Archive, ILayer Blob);

/// <summary>
/// The <c>RUN --mount=type=cache</c> directories an export names (<c>mounts=</c>), each written once per build as a
/// layer blob into the store: a tar as every layer's (sorted names, PAX, numeric owners, no user or group names) with
/// the files' own mtimes, so an unchanged cache gives the same blob and the registry already has it. A cache this
/// machine has no content for, but an import carried, travels on as it came.
/// </summary>
internal sealed class CacheMountArchiver(ContentStore store, SharedBuildCache cache, LayerCompressionSettings compression, IProgress<BuildEvent>? progress)
{
    private readonly Dictionary<string, Task<ExportedMount?>> _archived = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<ExportedMount>> SelectAsync(CacheExportTarget target, CancellationToken cancellationToken)
    {
        var used = cache.MountsUsed;
        foreach (var id in target.Mounts.Where(id => id != CacheExportTarget.AllMounts && !used.Any(u => u.Id == id)))
            progress?.Report(new CacheWarning($"no RUN of this build mounts the cache {id}: it is not exported"));
        var exported = new List<ExportedMount>();
        foreach (var (name, id) in used.Where(u => target.CarriesMount(u.Id)))
        {
            if (!_archived.TryGetValue(name, out var archiving)) _archived[name] = archiving = ArchiveAsync(name, id, cancellationToken);
            if (await archiving.ConfigureAwait(false) is { } mount) exported.Add(mount);
        }
        return exported;
    }

    private async Task<ExportedMount?> ArchiveAsync(string name, string id, CancellationToken cancellationToken)
    {
        var directory = CacheDirectories.DirectoryOf(store.Root, name);
        using (await CacheDirectories.ReadLockAsync(store.Root, name, cancellationToken).ConfigureAwait(false))
        {
            if (Directory.Exists(directory) && await WriteAsync(directory, cancellationToken).ConfigureAwait(false) is ({ } blob, var diffId))
            {
                progress?.Report(new CacheProgress($"archived cache mount {id}: {blob.Size} bytes"));
                var archive = new CacheMountArchive { Id = id, Name = name, Blob = blob, DiffId = diffId };
                return new ExportedMount(archive, new StoreLayer(store, blob, diffId));
            }
        }
        if (cache.ImportedMount(name) is ({ } imported, { } remote)) return new ExportedMount(imported, remote);
        progress?.Report(new CacheProgress($"cache mount {id} is empty: not exported"));
        return null;
    }

    /// <returns>The blob's descriptor and diff ID; null for an empty directory.</returns>
    private async Task<(Oci.Descriptor Blob, Oci.Digest DiffId)?> WriteAsync(string directory, CancellationToken cancellationToken)
    {
        var nothing = new FileTree();
        nothing.Freeze();
        // Rootless, the files on disk are the caller's, who is root in the container: the tar says root, as a RUN's layer does.
        var tree = RootfsDiff.Compute(nothing, directory, clampTo: null, rootless: ContainerPrivileges.ForThisUser().Rootless);
        if (!tree.HasChanges) return null;
        await using var writer = store.BeginWrite();
        var written = await LayerEmitter.WriteCompressedLayerAsync(tree, writer.Stream, compression, cancellationToken).ConfigureAwait(false);
        await writer.CommitAsync(written.Digest, written.Size, "cache mount", cancellationToken).ConfigureAwait(false);
        return (written.ToDescriptor(oci: true), written.DiffId);
    }
}
