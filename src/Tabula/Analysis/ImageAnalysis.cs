using Tabula.Oci;

namespace Tabula.Analysis;

/// <summary>A place a file is stored: a layer (1 = the bottom one) and a path in it.</summary>
internal sealed record LayerPlace(int Layer, string Path);

/// <summary>A path and a size: a file of the final image, or a directory with everything beneath it.</summary>
internal sealed record SizedPath(string Path, long Size);

/// <summary>A path that more than one layer wrote or deleted (dive's "inefficiency").</summary>
/// <param name="Versions">How many layers wrote or deleted it.</param>
/// <param name="CumulativeSize">The sizes of all its versions summed (a deletion counts 0).</param>
/// <param name="FinalSize">Its size in the final image (0 when deleted).</param>
internal sealed record RepeatedPath(string Path, int Versions, long CumulativeSize, long FinalSize);

/// <summary>The same content stored more than once across the layers.</summary>
/// <param name="ExtraBytes">What the copies beyond the first cost: (copies - 1) × size.</param>
/// <param name="Places">The first few places it is stored, in layer order.</param>
internal sealed record DuplicateContent(ContentHash Hash, long Size, int Copies, long ExtraBytes, IReadOnlyList<LayerPlace> Places);

/// <summary>One layer: its blob, its sizes, the instruction that made it and what it changed.</summary>
/// <param name="Number">1 = the bottom layer.</param>
/// <param name="CompressedSize">The blob as stored or sent.</param>
/// <param name="UncompressedSize">The layer tar's bytes.</param>
/// <param name="FilesSize">The sizes of the non-directory entries summed (dive's layer size).</param>
/// <param name="FileCount">Non-directory entries (whiteouts not counted).</param>
/// <param name="CreatedBy">The config history's <c>created_by</c> for this layer (empty_layer entries skipped to align).</param>
internal sealed record LayerAnalysis(int Number, Digest Digest, Digest DiffId, string MediaType, long CompressedSize, long UncompressedSize,
    long FilesSize, int FileCount, string CreatedBy, LayerChanges Changes);

/// <summary>
/// What an image's layers hold and what they waste. The efficiency and wasted figures follow dive
/// (<c>filetree/efficiency.go</c>, <c>image/analysis.go</c>) so that its CI thresholds mean the same here:
/// for every non-directory path, each layer that writes it adds a version of its size and each layer that deletes it
/// adds a version of size 0; <see cref="Efficiency"/> = Σ smallest version / Σ all versions (1 when nothing is stored);
/// <see cref="WastedBytes"/> = Σ all versions of the paths with more than one.
/// </summary>
internal sealed record ImageAnalysis
{
    public required IReadOnlyList<LayerAnalysis> Layers { get; init; }

    /// <summary>The layer blobs summed, as stored or sent.</summary>
    public long CompressedSize { get; init; }

    /// <summary>The layer tars summed.</summary>
    public long UncompressedSize { get; init; }

    /// <summary>Σ layer <see cref="LayerAnalysis.FilesSize"/> (dive's image size).</summary>
    public long FilesSize { get; init; }

    /// <summary>Σ layer files size beyond the first layer (dive's "user size").</summary>
    public long UserFilesSize { get; init; }

    /// <summary>The files the final image shows (whiteouts applied), summed.</summary>
    public long FinalSize { get; init; }

    /// <summary>Non-directory paths in the final image.</summary>
    public int FinalFileCount { get; init; }

    public double Efficiency { get; init; }
    public long WastedBytes { get; init; }

    /// <summary><see cref="WastedBytes"/> / <see cref="UserFilesSize"/> (0 when the user size is 0), dive's ratio.</summary>
    public double WastedUserPercent { get; init; }

    /// <summary>Bytes stored in layers that the final image does not show: versions overwritten or deleted by a later layer.</summary>
    public long HiddenBytes { get; init; }

    /// <summary>Bytes of content stored again (same hash, any path or layer) beyond its first copy; not part of <see cref="WastedBytes"/>.</summary>
    public long DuplicateBytes { get; init; }

    public required IReadOnlyList<RepeatedPath> RepeatedPaths { get; init; }
    public required IReadOnlyList<DuplicateContent> Duplicates { get; init; }
    public required IReadOnlyList<SizedPath> BiggestFiles { get; init; }
    public required IReadOnlyList<SizedPath> BiggestDirectories { get; init; }
}
