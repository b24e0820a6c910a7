using System.Collections.Concurrent;
using Tabula.Archives;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Build.SharedCache;

/// <summary>
/// One build's link to shared caches: the steps imported from every <c>--cache-from</c> (looked up after the store's
/// own cache; the first source naming a key wins), and the record of every step this build keyed, hit or built, for
/// <c>--cache-to</c>. Layers of hits are fetched lazily, each at most once, verified against digest and diff ID.
/// One per build: the platforms of a multi-platform build share it, so they import once and export once, together.
/// </summary>
internal sealed class SharedBuildCache(ContentStore store, IProgress<BuildEvent>? progress) : IDisposable
{
    private const int Parallelism = 3;
    private readonly Dictionary<string, (CacheStep Step, ICacheBlobSource Source, bool KeyOnly)> _imported = new(StringComparer.Ordinal);
    private readonly List<ICacheBlobSource> _sources = [];
    private readonly ConcurrentDictionary<Digest, Lazy<Task>> _fetches = new();
    private readonly ConcurrentDictionary<string, RecordedStep> _recorded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (CacheMountArchive Archive, ICacheBlobSource Source)> _importedMounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _mountsUsed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Digest, byte> _imageLayers = new();
    private long _sequence;
    private volatile bool _importsDropped;
    private volatile bool _keyOnlyDropped;

    /// <summary>The shared cache of a build that imports or exports one, its <c>--cache-from</c> key maps read; else null.</summary>
    public static async Task<SharedBuildCache?> ForBuildAsync(ContentStore store, BuildOptions options, IProgress<BuildEvent>? progress, CancellationToken cancellationToken)
    {
        if (options.CacheFrom.Count == 0 && options.CacheTo.Count == 0) return null;
        var shared = new SharedBuildCache(store, progress);
        try
        {
            if (!options.NoCache) await shared.ImportAsync(options.CacheFrom, options.Registry ?? new Registry.RegistryOptions(), cancellationToken).ConfigureAwait(false);
            return shared;
        }
        catch
        {
            shared.Dispose();
            throw;
        }
    }

    /// <summary>Imports each location's key map; one that cannot be read warns and is left out.</summary>
    public async Task ImportAsync(IEnumerable<CacheLocation> locations, Registry.RegistryOptions registryOptions, CancellationToken cancellationToken)
    {
        foreach (var location in locations)
        {
            progress?.Report(new CacheProgress($"importing cache manifest from {location.Display}"));
            try
            {
                var (config, carried, source) = await CacheImporter.ImportAsync(location, registryOptions, cancellationToken).ConfigureAwait(false);
                _sources.Add(source);
                int added = 0;
                foreach (var step in config.Steps)
                {
                    if (step.Layer is not null && step.DiffId is null) continue; // a layer without its diff ID cannot key the next step
                    bool keyOnly = step.Layer is { } layer && !carried.Contains(layer.Digest);
                    // The first source naming a key wins, but one that carries the layer wins over one that only has the key.
                    if (_imported.TryGetValue(step.Key, out var earlier) && !(earlier.KeyOnly && !keyOnly)) continue;
                    _imported[step.Key] = (step, source, keyOnly);
                    added++;
                }
                var mounts = (config.Mounts ?? []).Where(m => _importedMounts.TryAdd(m.Name, (m, source))).Select(m => m.Id).ToList();
                progress?.Report(new CacheProgress($"imported cache from {location.Display}: {added} steps" + (mounts.Count > 0 ? $", cache mounts {string.Join(", ", mounts)}" : "")));
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                progress?.Report(new CacheWarning($"importing cache from {location.Display} failed, building without it: {OneLine(e)}"));
            }
        }
    }

    /// <summary>
    /// An imported step's layer; null when no import has the key, or it recorded no layer. A step exported as a key only
    /// hits too (its diff ID keys the next steps), until a build needed such a layer's content and dropped them.
    /// </summary>
    public ILayer? TryGet(string key)
    {
        if (_importsDropped || !_imported.TryGetValue(key, out var found) || found.Step.Layer is not { } layer || (found.KeyOnly && _keyOnlyDropped)) return null;
        return new RemoteCacheLayer(this, store, layer, found.Step.DiffId!.Value, found.Source, found.KeyOnly);
    }

    /// <summary>When the imported step's result was made; null when no import has the key or it carries no time (an older export).</summary>
    public DateTimeOffset? CreatedOf(string key) => !_importsDropped && _imported.TryGetValue(key, out var found) ? found.Step.Created : null;

    /// <summary>Whether an import recorded the step as one that made no layer.</summary>
    public bool IsKnownEmpty(string key) => !_importsDropped && _imported.TryGetValue(key, out var found) && found.Step.Layer is null;

    /// <summary>Records what a step of <paramref name="stage"/> gave (null: no layer) and when it was made, for export.</summary>
    public void Record(int stage, string key, ILayer? layer, DateTimeOffset? created)
        => _recorded.AddOrUpdate(key, _ => new RecordedStep(stage, Interlocked.Increment(ref _sequence), key, layer) { Created = created },
            (_, old) => old with { Layer = layer, Created = created });

    /// <summary>Every recorded step, in the order they ran within each stage.</summary>
    public IReadOnlyList<RecordedStep> Recorded() => _recorded.Values.OrderBy(r => r.Stage).ThenBy(r => r.Sequence).ToList();

    /// <summary>Records the layers of an image this build stored (each platform's): what <c>mode=min</c> exports.</summary>
    public void RecordImage(IEnumerable<ILayer> layers)
    {
        foreach (var layer in layers) _imageLayers.TryAdd(layer.Digest, 0);
    }

    /// <summary>Whether <paramref name="layer"/> is one of the images' this build stored.</summary>
    public bool InImage(ILayer layer) => _imageLayers.ContainsKey(layer.Digest);

    /// <summary>Whether the store holds the layer's blob, or can have it: false for a key-only hit nothing fetched.</summary>
    public bool CanExport(ILayer layer) => layer is not RemoteCacheLayer { KeyOnly: true } || store.SizeOf(layer.Digest) == layer.Size;

    /// <summary>Records that a RUN of this build mounts the cache <paramref name="name"/> (the store's name for it) of <paramref name="id"/>.</summary>
    public void RecordMount(string name, string id) => _mountsUsed.TryAdd(name, id);

    /// <summary>The cache mounts this build's RUN steps mount, hit or run, by the store's name, with their ids.</summary>
    public IReadOnlyList<(string Name, string Id)> MountsUsed => _mountsUsed.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => (m.Key, m.Value)).ToList();

    /// <summary>An imported cache mount's archive and its blob (fetched when opened); null when no import carries it.</summary>
    public (CacheMountArchive Archive, RemoteCacheLayer Blob)? ImportedMount(string name)
        => _importedMounts.TryGetValue(name, out var found)
            ? (found.Archive, new RemoteCacheLayer(this, store, found.Archive.Blob, found.Archive.DiffId, found.Source))
            : null;

    /// <summary>
    /// Unpacks the imported content of the cache mount <paramref name="name"/> into <paramref name="directory"/> (new), through
    /// the safe extraction every layer gets (nothing lands outside it). False when no import carries the mount, or when it
    /// could not be had: that warns, leaves no directory, and the RUN starts with an empty cache.
    /// </summary>
    public async Task<bool> RestoreMountAsync(string name, string directory, CancellationToken cancellationToken)
    {
        if (ImportedMount(name) is not ({ } archive, { } blob)) return false;
        var what = $"cache mount {archive.Id} from {blob.Source.Display}";
        progress?.Report(new CacheProgress($"restoring {what} ({blob.Size} bytes)"));
        try
        {
            var (_, written) = await Runtime.RootfsUnpacker.UnpackAsync([blob], directory, cancellationToken).ConfigureAwait(false);
            progress?.Report(new CacheProgress($"restored cache mount {archive.Id}: {written.Entries} entries"));
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (Directory.Exists(directory)) Runtime.ScratchDirectory.Delete(directory);
            progress?.Report(new CacheWarning($"restoring {what} failed, starting it empty: {OneLine(e)}"));
            return false;
        }
    }

    /// <summary>
    /// After a cache layer could not be had: a key-only one drops the key-only steps (the stage that needed its content
    /// is built, the rest of the cache still serves); any other drops the imports, so the build that follows stands on
    /// its own results. The record forgets the hits whose layers the store lacks, which the next build may not reach.
    /// </summary>
    public void Drop(CacheBlobUnavailableException unavailable)
    {
        if (unavailable.KeyOnly) _keyOnlyDropped = true;
        else _importsDropped = true;
        foreach (var (key, step) in _recorded)
            if (step.Layer is RemoteCacheLayer remote && (remote.KeyOnly || !unavailable.KeyOnly) && store.SizeOf(remote.Digest) != remote.Size)
                _recorded.TryRemove(KeyValuePair.Create(key, step));
    }

    /// <summary>Fetches the layers among <paramref name="layers"/> that a cache promised and the store lacks, side by side.</summary>
    public Task MaterializeAsync(IEnumerable<ILayer> layers, CancellationToken cancellationToken)
    {
        var remote = layers.OfType<RemoteCacheLayer>().DistinctBy(l => l.Digest).Where(l => !store.Exists(l.Digest)).ToList();
        if (remote.Count == 0) return Task.CompletedTask;
        return Parallel.ForEachAsync(remote, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (layer, ct) => await FetchAsync(layer, ct).ConfigureAwait(false));
    }

    /// <summary>Brings a promised layer into the store, once however many steps ask; verified against its digest and diff ID.</summary>
    public Task FetchAsync(RemoteCacheLayer layer, CancellationToken cancellationToken)
    {
        if (store.SizeOf(layer.Digest) == layer.Size) return Task.CompletedTask;
        if (layer.KeyOnly)
            return Task.FromException(new CacheBlobUnavailableException($"cache layer {layer.Digest.Short} is only a key in {layer.Source.Display} (mode=min carries the image's layers only)") { KeyOnly = true });
        var fetch = _fetches.GetOrAdd(layer.Digest, _ => new Lazy<Task>(() => FetchOnceAsync(layer, cancellationToken)));
        return fetch.Value;
    }

    private async Task FetchOnceAsync(RemoteCacheLayer layer, CancellationToken cancellationToken)
    {
        var what = $"cache layer {layer.Digest.Short} from {layer.Source.Display}";
        progress?.Report(new CacheProgress($"fetching {what}"));
        try
        {
            var transfers = new CacheTransferProgress(layer.Source.Display, exporting: false, progress);
            await using (var blob = transfers.Wrap(await layer.Source.OpenAsync(layer.Descriptor, cancellationToken).ConfigureAwait(false), layer))
                await LayerIngest.CopyCompressedAsync(store, blob, layer.Descriptor, layer.DiffId, what, cancellationToken).ConfigureAwait(false);
            transfers.Done(Transports.TransferKind.Downloaded, layer);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _fetches.TryRemove(layer.Digest, out _);
            throw new CacheBlobUnavailableException($"fetching {what} failed: {OneLine(e)}", e);
        }
    }

    internal static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ").Trim();

    public void Dispose()
    {
        foreach (var source in _sources) source.Dispose();
    }
}

/// <summary>A step this build keyed: its stage, when it ran, its key and its layer (null: it made none).</summary>
internal sealed record RecordedStep(int Stage, long Sequence, string Key, ILayer? Layer)
{
    /// <summary>When the step's result was first made (a hit keeps its first time); null for a step that made no layer.</summary>
    public DateTimeOffset? Created { get; init; }
}

/// <summary>A line of progress of a cache import or export (<c>importing cache manifest from REF</c>, …).</summary>
public sealed record CacheProgress(string Text) : BuildEvent;

/// <summary>A cache import or export that failed and did not fail the build.</summary>
public sealed record CacheWarning(string Message) : BuildEvent;
