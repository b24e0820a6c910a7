using System.Globalization;
using Tabula.Analysis;

namespace Tabula.Cli.Formatting;

/// <summary>The human form of an analysis: tables and a summary.</summary>
internal static class AnalysisText
{
    public static void Write(TextWriter output, string image, ImageAnalysis a)
    {
        output.WriteLine($"Image {image}: {a.Layers.Count} layers, {HumanUnits.Size(a.CompressedSize)} compressed, {HumanUnits.Size(a.UncompressedSize)} uncompressed, {a.FinalFileCount} files ({HumanUnits.Size(a.FinalSize)}) in the final image");
        output.WriteLine();
        var layers = new TextTable("LAYER", "COMPRESSED", "SIZE", "FILES", "ADDED", "CHANGED", "DELETED", "CREATED BY");
        foreach (var l in a.Layers)
            layers.Add(l.Number.ToString(CultureInfo.InvariantCulture), HumanUnits.Size(l.CompressedSize), HumanUnits.Size(l.FilesSize),
                l.FileCount.ToString(CultureInfo.InvariantCulture), Change(l.Changes.Added, l.Changes.AddedBytes), Change(l.Changes.Changed, l.Changes.ChangedBytes),
                Change(l.Changes.Deleted, l.Changes.DeletedBytes), HumanUnits.Ellipsis(l.CreatedBy.ReplaceLineEndings(" "), 60));
        layers.WriteTo(output);
        output.WriteLine();
        WriteSummary(output, a);
        if (a.RepeatedPaths.Count > 0)
        {
            output.WriteLine();
            var table = new TextTable("COUNT", "TOTAL SPACE", "FINAL SIZE", "PATH (written or deleted by more than one layer)");
            foreach (var r in a.RepeatedPaths)
                table.Add(r.Versions.ToString(CultureInfo.InvariantCulture), HumanUnits.Size(r.CumulativeSize), HumanUnits.Size(r.FinalSize), "/" + r.Path);
            table.WriteTo(output);
        }
        if (a.Duplicates.Count > 0)
        {
            output.WriteLine();
            var table = new TextTable("COPIES", "EXTRA", "SIZE", "STORED AT (same content)");
            foreach (var d in a.Duplicates)
                table.Add(d.Copies.ToString(CultureInfo.InvariantCulture), HumanUnits.Size(d.ExtraBytes), HumanUnits.Size(d.Size),
                    string.Join(", ", d.Places.Select(p => $"{p.Layer}:/{p.Path}")) + (d.Copies > d.Places.Count ? ", …" : ""));
            table.WriteTo(output);
        }
        WritePaths(output, "BIGGEST FILES", a.BiggestFiles);
        WritePaths(output, "BIGGEST DIRECTORIES", a.BiggestDirectories);
    }

    public static void WriteSummary(TextWriter output, ImageAnalysis a)
    {
        output.WriteLine("Efficiency:".PadRight(24) + Percent(a.Efficiency));
        output.WriteLine("Wasted (as dive):".PadRight(24) + $"{HumanUnits.Size(a.WastedBytes)} ({a.WastedBytes} bytes), {Percent(a.WastedUserPercent)} of the {HumanUnits.Size(a.UserFilesSize)} above the first layer");
        output.WriteLine("Hidden by later layers:".PadRight(24) + $"{HumanUnits.Size(a.HiddenBytes)} ({a.HiddenBytes} bytes overwritten or deleted)");
        output.WriteLine("Duplicate content:".PadRight(24) + $"{HumanUnits.Size(a.DuplicateBytes)} ({a.DuplicateBytes} bytes in extra copies)");
    }

    private static void WritePaths(TextWriter output, string title, IReadOnlyList<SizedPath> paths)
    {
        if (paths.Count == 0) return;
        output.WriteLine();
        var table = new TextTable("SIZE", title);
        foreach (var p in paths) table.Add(HumanUnits.Size(p.Size), "/" + p.Path);
        table.WriteTo(output);
    }

    private static string Change(int count, long bytes) => count == 0 ? "-" : $"{count} ({HumanUnits.Size(bytes)})";

    private static string Percent(double ratio) => (ratio * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %";
}
