using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tabula.Archives;
using Tabula.Build.SharedCache;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Build;

/// <summary>A layer step (RUN, ADD, COPY, WORKDIR) that the cache answered: its layer was reused, the step did not run.</summary>
public sealed record StepCacheHit(int Stage, int Step) : BuildEvent;

/// <summary>A layer step's result: its layer, and when it was first made (its history entry's time).</summary>
internal sealed record StepResult(ILayer Layer, DateTimeOffset Created);

/// <summary>
/// The build cache, as docker's: a layer step whose inputs (<see cref="StepKey"/>) match a stored step gives the layer
/// it gave before. Entries are small files under <c>cache/steps/</c> in the store naming the layer's blob and sizes,
/// and the time the result was made; an entry whose blob was pruned is a miss. Steps that would give the same layer
/// from the same inputs share it, so a hit gives the image a cold build gives. A hit keeps its first time, as
/// BuildKit's cache record does, so a fully cached rebuild gives the same image ID without SOURCE_DATE_EPOCH.
/// </summary>
internal sealed class StepCache(ContentStore content, SharedBuildCache? shared = null, int stage = 0, StepClaims? claims = null)
{
    private string Folder => Path.Combine(content.Root, "cache", "steps");

    /// <summary>
    /// Holds the step of this key until disposed: an identical step started meanwhile (by another platform of the build)
    /// waits, then looks the cache up and takes this one's result instead of running too.
    /// </summary>
    public async Task<IDisposable?> ClaimAsync(string key, CancellationToken cancellationToken)
        => claims is null ? null : await claims.ClaimAsync("step " + key, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The layer a step gave before and when: from the store's own entries, else from an imported shared cache (whose
    /// layer is fetched only when something opens it; an entry for it is written here, a hit once the blob is in).
    /// </summary>
    /// <param name="created">This build's time: the time of a result whose record has none (written before times were
    /// kept), which is then kept with it so later builds reproduce it.</param>
    public StepResult? TryGet(string key, DateTimeOffset created)
    {
        StepResult? hit = null;
        if (TryGetLocal(key) is { } local)
        {
            hit = new StepResult(local.Layer, local.Created ?? created);
            if (local.Created is null) Write(key, local.Layer, created);
        }
        else if (shared?.TryGet(key) is { } remote)
        {
            hit = new StepResult(remote, shared.CreatedOf(key) ?? created);
            Write(key, remote, hit.Created);
        }
        if (hit is not null) shared?.Record(stage, key, hit.Layer, hit.Created);
        return hit;
    }

    /// <returns>The entry's layer and time (null in entries written before times were kept); null when there is none or its blob is gone.</returns>
    private (StoreLayer Layer, DateTimeOffset? Created)? TryGetLocal(string key)
    {
        var path = Path.Combine(Folder, key);
        if (!File.Exists(path)) return null;
        var fields = File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is not (4 or 5) || !Digest.TryParse(fields[1], out var digest) || !Digest.TryParse(fields[3], out var diffId)
            || !long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            return null;
        if (content.SizeOf(digest) != size) return null;
        DateTimeOffset? created = null;
        if (fields.Length == 5)
        {
            try { created = GoTime.Parse(fields[4]); }
            catch (FormatException) { } // a time that does not read is a missing one: the layer still serves
        }
        return (new StoreLayer(content, new Descriptor { MediaType = fields[0], Digest = digest, Size = size }, diffId), created);
    }

    /// <summary>Whether the step was recorded as one that makes no layer (a RUN that changed nothing, in caches written before such a RUN committed an empty layer).</summary>
    public bool IsKnownEmpty(string key)
    {
        var path = Path.Combine(Folder, key);
        bool empty = File.Exists(path) && File.ReadAllText(path) == NoLayer;
        if (!empty && shared?.IsKnownEmpty(key) == true)
        {
            WriteEmpty(key);
            empty = true;
        }
        if (empty) shared?.Record(stage, key, null, null);
        return empty;
    }

    private void WriteEmpty(string key)
    {
        Directory.CreateDirectory(Folder);
        AtomicFile.Write(Path.Combine(Folder, key), Encoding.UTF8.GetBytes(NoLayer), durable: false);
    }

    private const string NoLayer = "no layer\n";

    /// <summary>Records the layer a step just made, at <paramref name="created"/> (this build's time).</summary>
    public void Set(string key, ILayer layer, DateTimeOffset created)
    {
        Write(key, layer, created);
        shared?.Record(stage, key, layer, created);
    }

    private void Write(string key, ILayer layer, DateTimeOffset created)
    {
        Directory.CreateDirectory(Folder);
        var entry = $"{layer.MediaType}\n{layer.Digest}\n{layer.Size.ToString(CultureInfo.InvariantCulture)}\n{layer.DiffId}\n{GoTime.Format(created)}\n";
        AtomicFile.Write(Path.Combine(Folder, key), Encoding.UTF8.GetBytes(entry), durable: false);
    }
}

/// <summary>
/// A cache key being built: the parts are hashed as they come (sha256, each part NUL-terminated), so content
/// checksums and long listings never have to be held. Start every key with <see cref="ForParent"/>.
/// </summary>
internal sealed class StepKey : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    private StepKey(string kind) => Add("tabula step cache v2").Add(kind);

    /// <summary>
    /// What every step's result depends on: the stage's filesystem (its layers' diff IDs, which also fix the user
    /// database --chown and USER read) and platform, and how layers are written.
    /// </summary>
    public static StepKey ForParent(string kind, StageState state, BuildOptions options)
    {
        var key = new StepKey(kind).Add(state.Platform.ToString()).AddList("layers", state.Layers.Select(l => l.DiffId.ToString()));
        return key.Add("layer=" + options.Compression + "/" + LayerCommit.OciMediaTypes(options) + "/" + options.Timestamp?.ToUnixTimeSeconds());
    }

    public StepKey Add(string part)
    {
        _hash.AppendData(Encoding.UTF8.GetBytes(part));
        _hash.AppendData([0]);
        return this;
    }

    /// <summary>A counted list, so parts of neighbouring lists can never be mistaken for each other.</summary>
    public StepKey AddList(string name, IEnumerable<string> parts)
    {
        var list = parts.ToList();
        Add(name + "#" + list.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var part in list) Add(part);
        return this;
    }

    public string Finish() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void Dispose() => _hash.Dispose();
}
