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
/// </summary>
internal sealed class SharedBuildCache(ContentStore store, IProgress<BuildEvent>? progress) : IDisposable
{
    private const int Parallelism = 3;
    private readonly Dictionary<string, (CacheStep Step, ICacheBlobSource Source)> _imported = new(StringComparer.Ordinal);
    private readonly List<ICacheBlobSource> _sources = [];
    private readonly ConcurrentDictionary<Digest, Lazy<Task>> _fetches = new();
    private readonly ConcurrentDictionary<string, RecordedStep> _recorded = new(StringComparer.Ordinal);
    private long _sequence;
    private volatile bool _importsDropped;

    /// <summary>Imports each location's key map; one that cannot be read warns and is left out.</summary>
    public async Task ImportAsync(IEnumerable<CacheLocation> locations, Registry.RegistryOptions registryOptions, CancellationToken cancellationToken)
    {
        foreach (var location in locations)
        {
            progress?.Report(new CacheProgress($"importing cache manifest from {location.Display}"));
            try
            {
                var (config, source) = await CacheImporter.ImportAsync(location, registryOptions, cancellationToken).ConfigureAwait(false);
                _sources.Add(source);
                int added = 0;
                foreach (var step in config.Steps)
                {
                    if (step.Layer is not null && step.DiffId is null) continue; // a layer without its diff ID cannot key the next step
                    if (_imported.TryAdd(step.Key, (step, source))) added++;
                }
                progress?.Report(new CacheProgress($"imported cache from {location.Display}: {added} steps"));
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                progress?.Report(new CacheWarning($"importing cache from {location.Display} failed, building without it: {OneLine(e)}"));
            }
        }
    }

    /// <summary>An imported step's layer; null when no import has the key, or it recorded no layer.</summary>
    public ILayer? TryGet(string key)
    {
        if (_importsDropped || !_imported.TryGetValue(key, out var found) || found.Step.Layer is not { } layer) return null;
        return new RemoteCacheLayer(this, store, layer, found.Step.DiffId!.Value, found.Source);
    }

    /// <summary>Whether an import recorded the step as one that made no layer.</summary>
    public bool IsKnownEmpty(string key) => !_importsDropped && _imported.TryGetValue(key, out var found) && found.Step.Layer is null;

    /// <summary>Records what a step of <paramref name="stage"/> gave (null: no layer), for export.</summary>
    public void Record(int stage, string key, ILayer? layer)
        => _recorded.AddOrUpdate(key, _ => new RecordedStep(stage, Interlocked.Increment(ref _sequence), key, layer), (_, old) => old with { Layer = layer });

    /// <summary>The recorded steps of the given stages (all when null), in the order they ran within each stage.</summary>
    public IReadOnlyList<RecordedStep> Recorded(IReadOnlySet<int>? stages)
        => _recorded.Values.Where(r => stages is null || stages.Contains(r.Stage)).OrderBy(r => r.Stage).ThenBy(r => r.Sequence).ToList();

    /// <summary>
    /// After a cache layer could not be fetched: imports are no longer consulted and this build's record starts over,
    /// so the build that follows stands on its own results.
    /// </summary>
    public void DropImports()
    {
        _importsDropped = true;
        _recorded.Clear();
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
        var fetch = _fetches.GetOrAdd(layer.Digest, _ => new Lazy<Task>(() => FetchOnceAsync(layer, cancellationToken)));
        return fetch.Value;
    }

    private async Task FetchOnceAsync(RemoteCacheLayer layer, CancellationToken cancellationToken)
    {
        var what = $"cache layer {layer.Digest.Short} from {layer.Source.Display}";
        progress?.Report(new CacheProgress($"fetching {what}"));
        try
        {
            await using var blob = await layer.Source.OpenAsync(layer.Descriptor, cancellationToken).ConfigureAwait(false);
            await LayerIngest.CopyCompressedAsync(store, blob, layer.Descriptor, layer.DiffId, what, cancellationToken).ConfigureAwait(false);
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
internal sealed record RecordedStep(int Stage, long Sequence, string Key, ILayer? Layer);

/// <summary>A line of progress of a cache import or export (<c>importing cache manifest from REF</c>, …).</summary>
public sealed record CacheProgress(string Text) : BuildEvent;

/// <summary>A cache import or export that failed and did not fail the build.</summary>
public sealed record CacheWarning(string Message) : BuildEvent;
