using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tabula.Analysis;

namespace Tabula.Cli;

/// <summary><c>analyze --format json</c>: the documented shape (README, "Looking inside images").</summary>
public sealed record AnalyzeJson(
    string Image, IReadOnlyList<AnalyzeLayerJson> Layers, long CompressedSize, long UncompressedSize, long FilesSize, long UserFilesSize,
    long FinalSize, int FinalFileCount, double Efficiency, long WastedBytes, double WastedUserPercent, long HiddenBytes, long DuplicateBytes,
    IReadOnlyList<RepeatedPathJson> RepeatedPaths, IReadOnlyList<DuplicateJson> Duplicates, IReadOnlyList<SizedPathJson> BiggestFiles,
    IReadOnlyList<SizedPathJson> BiggestDirectories, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CiJson? Ci);

public sealed record AnalyzeLayerJson(
    int Number, string Digest, string DiffId, string MediaType, long CompressedSize, long UncompressedSize, long FilesSize, int FileCount,
    string CreatedBy, ChangeJson Added, ChangeJson Changed, ChangeJson Deleted);

public sealed record ChangeJson(int Count, long Bytes);

public sealed record RepeatedPathJson(string Path, int Versions, long CumulativeSize, long FinalSize);

public sealed record DuplicateJson(string Hash, long Size, int Copies, long ExtraBytes, IReadOnlyList<PlaceJson> Places);

public sealed record PlaceJson(int Layer, string Path);

public sealed record SizedPathJson(string Path, long Size);

public sealed record CiJson(bool Passed, IReadOnlyList<string> Failures);

/// <summary><c>diff --format json</c>: the paths that differ, in path order.</summary>
public sealed record DiffJson(string Before, string After, IReadOnlyList<DiffEntryJson> Changes);

public sealed record DiffEntryJson(
    string Change, string Path, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PathStateJson? Before,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PathStateJson? After, IReadOnlyList<string> Differences);

public sealed record PathStateJson(
    string Type, long Size, string Mode, int Uid, int Gid,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LinkTarget,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Hash);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AnalyzeJson))]
[JsonSerializable(typeof(DiffJson))]
internal sealed partial class AnalysisJsonContext : JsonSerializerContext
{
    public static AnalysisJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>The analysis as JSON, paths absolute as users write them.</summary>
    public static AnalyzeJson From(string image, ImageAnalysis a, IReadOnlyList<string>? ciFailures) => new(
        image,
        a.Layers.Select(l => new AnalyzeLayerJson(l.Number, l.Digest.ToString(), l.DiffId.ToString(), l.MediaType, l.CompressedSize, l.UncompressedSize,
            l.FilesSize, l.FileCount, l.CreatedBy, new(l.Changes.Added, l.Changes.AddedBytes), new(l.Changes.Changed, l.Changes.ChangedBytes),
            new(l.Changes.Deleted, l.Changes.DeletedBytes))).ToList(),
        a.CompressedSize, a.UncompressedSize, a.FilesSize, a.UserFilesSize, a.FinalSize, a.FinalFileCount, a.Efficiency, a.WastedBytes,
        a.WastedUserPercent, a.HiddenBytes, a.DuplicateBytes,
        a.RepeatedPaths.Select(r => new RepeatedPathJson("/" + r.Path, r.Versions, r.CumulativeSize, r.FinalSize)).ToList(),
        a.Duplicates.Select(d => new DuplicateJson(d.Hash.ToString(), d.Size, d.Copies, d.ExtraBytes, d.Places.Select(p => new PlaceJson(p.Layer, "/" + p.Path)).ToList())).ToList(),
        a.BiggestFiles.Select(f => new SizedPathJson("/" + f.Path, f.Size)).ToList(),
        a.BiggestDirectories.Select(f => new SizedPathJson("/" + f.Path, f.Size)).ToList(),
        ciFailures is null ? null : new CiJson(ciFailures.Count == 0, ciFailures));
}
