using System.Globalization;
using Tabula.Dockerfile.Ignore;
using Tabula.Layers;

namespace Tabula.Build;

/// <summary>
/// Adds to a cache key exactly the build-context files a step reads, the way BuildKit's content checksum does:
/// path, type, link target, content and which names are hard links of one file — and for COPY/ADD the permission bits and the mtime as the layer will
/// carry it (clamped to the build epoch), never the owner, which COPY replaces. What <c>.dockerignore</c> or
/// <c>--exclude</c> keeps out is not read, so it cannot change the key. Walks mirror <see cref="ContextCopier"/>.
/// </summary>
internal sealed class ContextChecksum(BuildContext context, FileChecksums checksums)
{
    /// <summary>The sources of a context ADD/COPY: each (pivot, pattern) as <see cref="FileTransferStep"/> copies it.</summary>
    public async Task AddSourcesAsync(StepKey key, IReadOnlyList<(string Pivot, string Pattern)> sources, DockerignoreMatcher? excludes,
        bool keepParents, EntryRewrites rewrites, CancellationToken cancellationToken)
    {
        foreach (var (pivot, pattern) in sources)
        {
            // One walk per source: hard links are kept within one source, as the copy keeps them.
            var walk = new Walk(key, checksums, rewrites, Raw: false);
            var matches = context.Match(LayerPath.Join(pivot, pattern), keepParents);
            key.Add("source=" + pivot + "/./" + pattern).Add(matches.Count.ToString(CultureInfo.InvariantCulture));
            foreach (var match in matches)
            {
                walk.Line("match=" + match);
                var resolved = context.Resolve(match);
                var full = context.FullPath(resolved);
                if (keepParents)
                {
                    // --parents recreates the directories above the match with their own mode and mtime.
                    var kept = ParentsPivot.Kept(pivot, match);
                    var parts = kept.Split('/');
                    for (int i = 1; i < parts.Length; i++)
                        await walk.EntryAsync("parent", context.FullPath(context.Resolve(LayerPath.Join(pivot, string.Join('/', parts.Take(i))))), cancellationToken).ConfigureAwait(false);
                }
                var status = Posix.Lstat(full);
                if (status is { IsDirectory: true })
                {
                    if (keepParents) await walk.EntryAsync(".", full, cancellationToken).ConfigureAwait(false);
                    await WalkDirectoryAsync(walk, resolved, excludes, cancellationToken).ConfigureAwait(false);
                }
                else await walk.EntryAsync(".", full, cancellationToken).ConfigureAwait(false);
            }
            await walk.DrainAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A <c>RUN --mount=type=bind</c> source of the context: everything under it, owners and exact times too, as the command sees them.</summary>
    public async Task AddMountAsync(StepKey key, string source, CancellationToken cancellationToken)
    {
        var walk = new Walk(key, checksums, EntryRewrites.None, Raw: true);
        var clean = BuildContext.Clean(source);
        var full = context.FullPath(clean);
        key.Add("mount-source=" + clean);
        await walk.EntryAsync(".", full, cancellationToken).ConfigureAwait(false);
        if (Posix.Lstat(full) is { IsDirectory: true })
            await WalkTreeAsync(walk, full, "", cancellationToken).ConfigureAwait(false);
        await walk.DrainAsync().ConfigureAwait(false);
    }

    private async Task WalkDirectoryAsync(Walk walk, string relativeDirectory, DockerignoreMatcher? excludes, CancellationToken cancellationToken)
    {
        foreach (var entry in ContextWalker.Walk(context, relativeDirectory, excludes))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await walk.EntryAsync(entry.SourcePath, entry.FullPath, entry.Status, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WalkTreeAsync(Walk walk, string directory, string relative, CancellationToken cancellationToken)
    {
        foreach (var name in SortedChildren(directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var full = Path.Combine(directory, name);
            var childRelative = relative.Length == 0 ? name : relative + "/" + name;
            await walk.EntryAsync(childRelative, full, cancellationToken).ConfigureAwait(false);
            if (Posix.Lstat(full) is { IsDirectory: true }) await WalkTreeAsync(walk, full, childRelative, cancellationToken).ConfigureAwait(false);
        }
    }

    private static IEnumerable<string> SortedChildren(string directory)
        => Directory.EnumerateFileSystemEntries(directory).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal);

    /// <summary>
    /// One entry into the key: what of it can change the result. Files are hashed on the thread pool while the walk
    /// goes on, in batches (up to 64 entries or 1 MiB of file bytes): the key pass of a cold COPY is mostly reading
    /// and hashing, and on one thread it left the other cores idle before the copy could start, while a pool hop per
    /// file cost more than hashing a small one (300,000 of them kept idle pool threads spinning). Lines still join
    /// the key in the walk's order.
    /// </summary>
    private sealed record Walk(StepKey Key, FileChecksums Checksums, EntryRewrites Rewrites, bool Raw)
    {
        private const int BatchEntries = 64;
        private const long BatchBytes = 1 << 20;

        // The first entry of each multiply linked inode, by its number in this walk (names repeat across matches).
        private readonly Dictionary<(uint, uint, ulong), int> _firstEntryOfInode = [];
        private readonly Queue<Task<string[]>> _batches = new();
        private readonly int _window = Environment.ProcessorCount * 2;
        private List<Func<string>> _batch = [];
        private long _batchBytes;
        private int _entries;

        /// <summary>A line that joins the key after those before it.</summary>
        public void Line(string line) => _batch.Add(() => line);

        /// <summary>Adds to the key every line given so far, waiting for the hashes still being made.</summary>
        public async Task DrainAsync()
        {
            Dispatch(CancellationToken.None);
            while (_batches.Count > 0) AddToKey(await _batches.Dequeue().ConfigureAwait(false));
        }

        public Task EntryAsync(string name, string full, CancellationToken cancellationToken)
            => EntryAsync(name, full, Posix.Lstat(full), cancellationToken);

        /// <param name="status">The entry's lstat, which a walk already has (one system call less per file); null when it is gone.</param>
        public async Task EntryAsync(string name, string full, FileStatus? status, CancellationToken cancellationToken)
        {
            _batch.Add(Describe(name, full, status, cancellationToken));
            if (status is { Type: Posix.TypeRegular }) _batchBytes += status.Size;
            if (_batch.Count < BatchEntries && _batchBytes < BatchBytes) return;
            Dispatch(cancellationToken);
            // Batches already hashed go into the key at once, so the queue holds only what the hashes in flight hold up.
            while (_batches.Count > _window || (_batches.Count > 0 && _batches.Peek().IsCompleted))
                AddToKey(await _batches.Dequeue().ConfigureAwait(false));
        }

        private void Dispatch(CancellationToken cancellationToken)
        {
            if (_batch.Count == 0) return;
            var batch = _batch;
            _batches.Enqueue(Task.Run(() => batch.Select(line => line()).ToArray(), cancellationToken));
            _batch = [];
            _batchBytes = 0;
        }

        private void AddToKey(string[] lines)
        {
            foreach (var line in lines) Key.Add(line);
        }

        private string FileLine(string common, string time, string full, FileStatus status, CancellationToken cancellationToken)
            => string.Create(CultureInfo.InvariantCulture, $"F {common} {time} {status.Size} {Checksums.Sha256(full, status, cancellationToken)}");

        private Func<string> Describe(string name, string full, FileStatus? status, CancellationToken cancellationToken)
        {
            _entries++;
            if (status is null) return () => "missing " + name;
            var mode = Raw ? status.Mode : status.Permissions;
            var time = Raw
                ? status.MTimeSeconds.ToString(CultureInfo.InvariantCulture) + "." + status.MTimeNanoseconds.ToString(CultureInfo.InvariantCulture)
                : Rewrites.ApplyTime(status.ModTime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var owner = Raw ? string.Create(CultureInfo.InvariantCulture, $" {status.Uid}:{status.Gid}") : "";
            var common = string.Create(CultureInfo.InvariantCulture, $"{name} {mode:x}{owner}");
            switch (status.Type)
            {
                case Posix.TypeSymlink:
                    return Constant("L " + common + " -> " + (new FileInfo(full).LinkTarget ?? ""));
                case Posix.TypeDirectory:
                    return Constant("D " + common + " " + time);
                case Posix.TypeRegular when !Raw && status.Links > 1 && !_firstEntryOfInode.TryAdd(status.InodeKey, _entries):
                    // Another name of a file already in the key: the copy makes it a hard link to that first name.
                    return Constant(string.Create(CultureInfo.InvariantCulture, $"H {name} -> #{_firstEntryOfInode[status.InodeKey]}"));
                case Posix.TypeRegular:
                    return () => FileLine(common, time, full, status, cancellationToken);
                case Posix.TypeSocket when !Raw:
                    // COPY makes a socket an empty regular file, as BuildKit's context transfer does.
                    return Constant(string.Create(CultureInfo.InvariantCulture, $"S {common} {time}"));
                default:
                    // Devices and fifos are not copied (COPY skips them); a mount shows them, and sockets, as they are.
                    return Constant(string.Create(CultureInfo.InvariantCulture, $"O {common} {status.RdevMajor}:{status.RdevMinor}"));
            }
        }

        private static Func<string> Constant(string line) => () => line;
    }
}
