using Tabula.Layers;

namespace Tabula.Build;

/// <summary>
/// What lives as long as one build: spool files holding extracted archive content, which file trees of every
/// stage may still point into until the build ends, and the checksums of context files read so far. Shared by
/// stages that run at the same time.
/// </summary>
internal sealed class BuildSession(string storeRoot) : IAsyncDisposable
{
    public FileChecksums Checksums { get; } = new(storeRoot);

    /// <summary>The shared caches of <c>--cache-from</c> and the record for <c>--cache-to</c>; null when the build has neither. Its owner disposes it.</summary>
    public SharedCache.SharedBuildCache? Shared { get; set; }

    /// <summary>Steps and base images in progress; shared by every platform of a multi-platform build, so they do identical work once.</summary>
    public StepClaims Claims { get; init; } = new();

    private readonly List<SpoolFile> _spools = [];

    public SpoolFile NewSpool()
    {
        var spool = SpoolFile.Create();
        lock (_spools) _spools.Add(spool); // stages run side by side
        return spool;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var spool in _spools) await spool.DisposeAsync().ConfigureAwait(false);
        _spools.Clear();
    }
}
