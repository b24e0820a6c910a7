using Tabula.Images;
using Tabula.Transports;

namespace Tabula.Build.SharedCache;

/// <summary>
/// A blob of a shared cache moving: the events <c>push</c> shows (an export: <paramref name="Exporting"/>) or <c>pull</c>
/// shows (a layer or cache mount an import fetches), with the cache they belong to.
/// </summary>
public sealed record CacheTransfer(string Cache, bool Exporting, TransferEvent Transfer) : BuildEvent;

/// <summary>Reports one cache's blobs as <see cref="CacheTransfer"/> events.</summary>
internal sealed class CacheTransferProgress(string cache, bool exporting, IProgress<BuildEvent>? build) : IProgress<TransferEvent>
{
    public void Report(TransferEvent value) => build?.Report(new CacheTransfer(cache, exporting, value));

    /// <summary>The blob's bytes, reporting their progress as they pass.</summary>
    public Stream Wrap(Stream blob, ILayer layer) => TransferProgressStream.Wrap(blob, layer.Digest, layer.Size, build is null ? null : this);

    public void Done(TransferKind kind, ILayer layer) => Report(new TransferEvent(kind, layer.Digest, layer.Size));
}
