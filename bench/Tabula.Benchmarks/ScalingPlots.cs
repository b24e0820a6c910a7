using System.Globalization;
using System.Text;
using ScottPlot;
using ScottPlot.TickGenerators;


namespace Tabula.Benchmarks;

/// <summary>
/// <c>plot CSV DIR</c>: draws bench/scaling.sh's measurements (medians over rounds) as PNG plots in DIR, time against
/// size for each series and operation (one line per tool) and tabula's peak RSS against size for each series (one line
/// per operation), both axes log10; and prints the medians as a Markdown table with tabula's ratio to each peer.
/// </summary>
public static class ScalingPlots
{
    private sealed record Row(string Series, double Size, string Operation, string Tool, double Seconds, double RssKib);

    private sealed record Point(string Series, string Operation, string Tool, double Size, double Seconds, double RssKib);

    private static readonly Dictionary<string, string> SizeUnits = new()
    {
        ["files"] = "files in the layer",
        ["bytes"] = "MiB in the layer",
        ["layers"] = "layers",
    };

    private static readonly Dictionary<string, Color> ToolColours = new()
    {
        ["tabula"] = Colors.OrangeRed,
        ["docker"] = Colors.DodgerBlue,
        ["buildah"] = Colors.SeaGreen,
        ["skopeo"] = Colors.MediumPurple,
        ["tar -x"] = Colors.Gray,
    };

    public static int Run(string csvPath, string outputDirectory)
    {
        var points = Medians(Read(csvPath));
        if (points.Count == 0)
        {
            Console.Error.WriteLine($"{csvPath} has no measurements");
            return 1;
        }
        Directory.CreateDirectory(outputDirectory);
        foreach (var chart in points.GroupBy(p => (p.Series, p.Operation)))
            DrawTimes(chart.Key.Series, chart.Key.Operation, chart.ToList(), outputDirectory);
        foreach (var series in points.Where(p => p.Tool == "tabula").GroupBy(p => p.Series))
            DrawMemory(series.Key, series.ToList(), outputDirectory);
        Console.Write(Table(points));
        return 0;
    }

    private static List<Row> Read(string csvPath)
    {
        var rows = new List<Row>();
        foreach (var line in File.ReadLines(csvPath).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length < 7) continue;
            rows.Add(new Row(f[0], Number(f[1]), f[2], f[3], Number(f[5]), Number(f[6])));
        }
        return rows;
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static List<Point> Medians(List<Row> rows) =>
        rows.GroupBy(r => (r.Series, r.Operation, r.Tool, r.Size))
            .Select(g => new Point(g.Key.Series, g.Key.Operation, g.Key.Tool, g.Key.Size,
                Median(g.Select(r => r.Seconds)), Median(g.Select(r => r.RssKib))))
            .OrderBy(p => p.Series, StringComparer.Ordinal).ThenBy(p => p.Operation, StringComparer.Ordinal)
            .ThenBy(p => p.Size).ThenBy(p => p.Tool, StringComparer.Ordinal)
            .ToList();

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static void DrawTimes(string series, string operation, List<Point> points, string outputDirectory)
    {
        var plot = NewPlot($"{series}: {operation}", series, "seconds");
        var shown = new List<(double X, double Y)>();
        foreach (var tool in points.GroupBy(p => p.Tool))
            AddLine(plot, tool.Key, tool.Select(p => (p.Size, p.Seconds)), shown);
        Save(plot, shown, Path.Combine(outputDirectory, $"scaling-{series}-{operation}.png"));
    }

    private static void DrawMemory(string series, List<Point> points, string outputDirectory)
    {
        var plot = NewPlot($"{series}: tabula's peak RSS", series, "MiB");
        var shown = new List<(double X, double Y)>();
        foreach (var operation in points.GroupBy(p => p.Operation))
            AddLine(plot, operation.Key, operation.Select(p => (p.Size, p.RssKib / 1024)), shown);
        Save(plot, shown, Path.Combine(outputDirectory, $"scaling-{series}-memory.png"));
    }

    private static Plot NewPlot(string title, string series, string valueName)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(SizeUnits.GetValueOrDefault(series, series.StartsWith("stages", StringComparison.Ordinal) ? "stages" : series));
        plot.YLabel(valueName);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Saves the plot with log10 axes labelled back in plain numbers at 1, 2 and 5 of each decade.</summary>
    private static void Save(Plot plot, List<(double X, double Y)> shown, string path)
    {
        if (shown.Count > 0)
        {
            plot.Axes.Bottom.TickGenerator = DecadeTicks(shown.Select(v => v.X));
            plot.Axes.Left.TickGenerator = DecadeTicks(shown.Select(v => v.Y));
        }
        plot.SavePng(path, 800, 500);
    }

    // Within one decade (RSS that moves from 20 to 46 MiB, say) 1-2-5 would leave the axis with one label.
    private static readonly double[] FineSteps = [1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9];
    private static readonly double[] CoarseSteps = [1, 2, 5];

    private static NumericManual DecadeTicks(IEnumerable<double> values)
    {
        var positive = values.Where(v => v > 0).ToArray();
        var ticks = new NumericManual();
        int low = (int)Math.Floor(Math.Log10(positive.Min())), high = (int)Math.Ceiling(Math.Log10(positive.Max()));
        for (int decade = low; decade <= high; decade++)
            foreach (double step in high - low <= 1 ? FineSteps : CoarseSteps)
            {
                double value = step * Math.Pow(10, decade);
                ticks.AddMajor(Math.Log10(value), value >= 1 ? value.ToString("#,0", CultureInfo.InvariantCulture) : value.ToString("G3", CultureInfo.InvariantCulture));
            }
        return ticks;
    }

    private static void AddLine(Plot plot, string label, IEnumerable<(double X, double Y)> values, List<(double X, double Y)> shown)
    {
        var points = values.Where(v => v.X > 0 && v.Y > 0).ToArray();
        shown.AddRange(points);
        var line = plot.Add.Scatter(points.Select(v => Math.Log10(v.X)).ToArray(), points.Select(v => Math.Log10(v.Y)).ToArray());
        line.LegendText = label;
        line.MarkerSize = 6;
        // A tool keeps its colour in every plot; operations (memory plots) take the palette's in order.
        if (ToolColours.TryGetValue(label, out var colour)) line.Color = colour;
    }

    private static string Table(List<Point> points)
    {
        var text = new StringBuilder();
        text.AppendLine("| series | size | operation | tabula s | peer | peer s | ratio | tabula peak RSS MiB |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var group in points.GroupBy(p => (p.Series, p.Size, p.Operation)))
        {
            var tabula = group.FirstOrDefault(p => p.Tool == "tabula");
            if (tabula is null) continue;
            var peers = group.Where(p => p.Tool != "tabula").ToList();
            if (peers.Count == 0) peers.Add(new Point(tabula.Series, tabula.Operation, "", tabula.Size, double.NaN, double.NaN));
            foreach (var peer in peers)
            {
                string ratio = double.IsNaN(peer.Seconds) || peer.Seconds == 0 ? "" : (tabula.Seconds / peer.Seconds).ToString("F2", CultureInfo.InvariantCulture);
                string peerSeconds = double.IsNaN(peer.Seconds) ? "" : peer.Seconds.ToString("F3", CultureInfo.InvariantCulture);
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {group.Key.Series} | {group.Key.Size:G} | {group.Key.Operation} | {tabula.Seconds:F3} | {peer.Tool} | {peerSeconds} | {ratio} | {tabula.RssKib / 1024:F0} |");
            }
        }
        return text.ToString();
    }
}
