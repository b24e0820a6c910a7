using System.Globalization;
using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;
using Tabula.Layers;
using Tabula.Runtime;

namespace Tabula.Build.Mounts;

/// <summary>
/// <c>RUN --mount</c>, as BuildKit documents it, for that one command and in no layer: <c>type=secret</c> (see
/// <see cref="SecretFiles"/>); <c>type=tmpfs</c> (an empty tmpfs); <c>type=bind</c> (the build context's <c>source=</c>
/// path, or a stage's or a stored image's with <c>from=</c>; read-only, or with <c>rw</c> writable with the writes thrown
/// away); <c>type=cache</c> (a directory of the store kept between builds, see <see cref="CacheDirectories"/>). A relative
/// target is under the working directory. The cache key holds each mount as parsed (secrets not at all) and what a bind
/// shows, never a cache's content.
/// </summary>
internal static class RunMounts
{
    /// <summary>
    /// Adds what of the mounts decides the step's result to its key: each mount, and what a bind mount or a cache started
    /// from a stage shows — the context files under a bind's source, the content under a bind's source in the stage it is
    /// taken from (<see cref="StageContentKey"/>), or the layers of the image (or, for a cache, the stage) it is taken from
    /// (a bind of the context is keyed on its source path whether or not it exists; the step then fails on its own).
    /// </summary>
    public static async Task AddToKeyAsync(StepKey key, IReadOnlyList<RunMount> mounts, RunInstruction run, MountSources sources, ContextChecksum context, CancellationToken cancellationToken)
    {
        foreach (var mount in mounts)
        {
            if (mount.KeyText is not { } text) continue;
            key.Add("mount=" + text);
            var from = mount switch { BindMount b => b.From, CacheMount c => c.From, _ => null };
            if (from is not null && mount is BindMount fromDirectory && sources.LocalChecksum(from) is { } local)
            {
                key.Add("from-directory=" + from);
                await local.AddMountAsync(key, fromDirectory.Source, cancellationToken).ConfigureAwait(false);
            }
            else if (from is not null && mount is BindMount fromStage && await sources.StageTreeAsync(from, run, cancellationToken).ConfigureAwait(false) is { } tree)
            {
                key.Add("from-stage=" + from);
                await StageContentKey.AddAsync(key, tree, fromStage.Source, cancellationToken).ConfigureAwait(false);
            }
            else if (from is not null)
            {
                var layers = await sources.LayersAsync(from, run, cancellationToken).ConfigureAwait(false);
                key.AddList("mount-layers", layers.Select(l => l.DiffId.ToString()));
            }
            else if (mount is BindMount bind)
            {
                await context.AddMountAsync(key, bind.Source, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The store's names of the cache mounts among <paramref name="mounts"/> (see <see cref="CacheDirectories.Name"/>), with their ids.
    /// </summary>
    public static async Task<List<(string Name, string Id)>> CacheNamesAsync(IReadOnlyList<RunMount> mounts, RunInstruction run, MountSources sources, CancellationToken cancellationToken)
    {
        var names = new List<(string, string)>();
        foreach (var cache in mounts.OfType<CacheMount>())
        {
            var fromLayers = cache.From is { } from ? await sources.LayersAsync(from, run, cancellationToken).ConfigureAwait(false) : null;
            names.Add((CacheDirectories.Name(cache, fromLayers), cache.Id));
        }
        return names;
    }

    /// <summary>
    /// Makes the tmpfs, bind and cache mounts of one RUN; what it unpacks or copies goes under <paramref name="scratch"/>.
    /// The cache mounts' locks are added to <paramref name="locks"/>, for the caller to hold until the command ends.
    /// </summary>
    /// <param name="shared">The build's shared caches: a cache mount one of them carries fills a missing or empty cache directory.</param>
    public static async Task<List<ContainerMount>> PrepareAsync(IReadOnlyList<RunMount> mounts, RunInstruction run, StageState state, MountSources sources, string scratch, bool noCache, List<IDisposable> locks,
        SharedCache.SharedBuildCache? shared, CancellationToken cancellationToken)
    {
        var prepared = new List<ContainerMount>();
        int n = 0;
        foreach (var mount in mounts)
        {
            n++;
            switch (mount)
            {
                case TmpfsMount tmpfs:
                    prepared.Add(ContainerMount.Tmpfs(Target(tmpfs.Target, state, run), tmpfs.Size));
                    break;
                case CacheMount cache:
                    prepared.Add(await CacheAsync(cache, run, state, sources, Path.Combine(scratch, "cache-" + n.ToString(CultureInfo.InvariantCulture)), noCache, locks, shared, cancellationToken).ConfigureAwait(false));
                    break;
                case BindMount bind:
                    prepared.Add(await BindAsync(bind, run, state, sources, scratch, n, cancellationToken).ConfigureAwait(false));
                    break;
            }
        }
        return prepared;
    }

    /// <remarks>
    /// Under <c>--no-cache</c>, BuildKit makes the root of a cache with a mode, uid or gid anew, and with it a cache of
    /// that build's own (its testCacheMountModeNoCache): here an empty directory for the command only.
    /// </remarks>
    private static async Task<ContainerMount> CacheAsync(CacheMount cache, RunInstruction run, StageState state, MountSources sources, string fresh, bool noCache, List<IDisposable> locks,
        SharedCache.SharedBuildCache? shared, CancellationToken cancellationToken)
    {
        var target = Target(cache.Target, state, run);
        var fromLayers = cache.From is { } from ? await sources.LayersAsync(from, run, cancellationToken).ConfigureAwait(false) : null;
        var name = CacheDirectories.Name(cache, fromLayers);
        var directory = noCache && cache.SetsRoot ? fresh
            : await CacheDirectories.LockAsync(sources.StoreRoot, name, cache.Sharing, fresh, locks, cancellationToken).ConfigureAwait(false);
        Func<string, CancellationToken, Task<bool>>? restore = shared is not null && shared.ImportedMount(name) is not null ? (into, ct) => shared.RestoreMountAsync(name, into, ct) : null;
        await CacheDirectories.CreateAsync(directory, cache, fromLayers, run, restore, cancellationToken).ConfigureAwait(false);
        var source = Resolve(directory, cache.Source, run);
        return ContainerMount.Bind(target, source, cache.ReadOnly, isFile: !Directory.Exists(source));
    }

    private static async Task<ContainerMount> BindAsync(BindMount bind, RunInstruction run, StageState state, MountSources sources, string scratch, int n, CancellationToken cancellationToken)
    {
        var target = Target(bind.Target, state, run);
        string root;
        bool copied;
        if (bind.From is { } named && sources.LocalDirectory(named) is { } local)
        {
            root = local;
            copied = false;
        }
        else if (bind.From is { } from)
        {
            root = Path.Combine(scratch, "from-" + n.ToString(CultureInfo.InvariantCulture));
            var layers = await sources.LayersAsync(from, run, cancellationToken).ConfigureAwait(false);
            await RootfsUnpacker.UnpackAsync(layers, root, cancellationToken).ConfigureAwait(false);
            copied = true;
        }
        else
        {
            root = Path.GetFullPath(sources.ContextDirectory);
            copied = false;
        }
        var source = Resolve(root, bind.Source, run);
        bool isFile = !Directory.Exists(source);
        if (bind.ReadWrite && !copied)
        {
            // Writes to a rw bind are thrown away: never into the build context itself.
            var copy = Path.Combine(scratch, "rw-" + n.ToString(CultureInfo.InvariantCulture));
            if (isFile) File.Copy(source, copy);
            else CopyDirectory(source, copy);
            source = copy;
        }
        return ContainerMount.Bind(target, source, readOnly: !bind.ReadWrite, isFile);
    }

    /// <summary>The absolute target in the container: a relative one is under the working directory; never <c>/</c> itself.</summary>
    private static string Target(string target, StageState state, RunInstruction run)
    {
        var clean = LayerPath.Clean(target.StartsWith('/') ? target : (state.Container.WorkingDir ?? "/") + "/" + target);
        if (clean.Length == 0) throw new DockerfileException(run.Location, $"invalid mount target \"{target}\"");
        return "/" + clean;
    }

    /// <summary>The source inside its root, refusing a path that leaves it or passes a symlink (a bind would follow it on this machine).</summary>
    private static string Resolve(string root, string source, RunInstruction run)
    {
        var current = root;
        foreach (var component in LayerPath.Components(LayerPath.Clean(source)))
        {
            current = Path.Combine(current, component);
            var status = Posix.Lstat(current)
                ?? throw new DockerfileException(run.Location, $"RUN --mount source={source}: not found");
            if (status.IsSymlink)
                throw new DockerfileException(run.Location, $"RUN --mount source={source}: goes through a symlink, which is not supported");
        }
        return current;
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(destination, entry.Name);
            if (entry.LinkTarget is { } link) File.CreateSymbolicLink(target, link);
            else if (entry is DirectoryInfo) CopyDirectory(entry.FullName, target);
            else File.Copy(entry.FullName, target);
        }
    }
}
