namespace Tabula.Layers;

/// <summary>
/// The outcome of trying the fast path: the written layer when the archive's bytes became the blob, or why not.
/// When not eligible the destination holds a partial, useless blob: discard it and take the normal path.
/// </summary>
internal sealed record PassthroughResult(WrittenLayer? Layer, string? IneligibleBecause)
{
    public bool IsEligible => Layer is not null;
}
