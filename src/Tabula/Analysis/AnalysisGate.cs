using System.Globalization;

namespace Tabula.Analysis;

/// <summary>The thresholds of <c>analyze --ci</c>, dive's three rules; a null one is not checked.</summary>
internal sealed record AnalysisThresholds(double? LowestEfficiency, long? HighestWastedBytes, double? HighestUserWastedPercent)
{
    /// <summary>dive's defaults: efficiency at least 0.9, wasted bytes at most 10% of the user size, wasted bytes unchecked.</summary>
    public static AnalysisThresholds Default { get; } = new(0.9, null, 0.1);
}

/// <summary>dive's CI rules over an <see cref="ImageAnalysis"/>: one line for each rule the image fails.</summary>
internal static class AnalysisGate
{
    public static IReadOnlyList<string> Failures(ImageAnalysis analysis, AnalysisThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(thresholds);
        var failures = new List<string>();
        if (thresholds.LowestEfficiency is { } lowest && analysis.Efficiency < lowest)
            failures.Add($"lowest-efficiency: image efficiency is too low (efficiency={Number(analysis.Efficiency)} < threshold={Number(lowest)})");
        if (thresholds.HighestWastedBytes is { } highest && analysis.WastedBytes > highest)
            failures.Add($"highest-wasted-bytes: too many bytes wasted (wasted-bytes={analysis.WastedBytes} > threshold={highest})");
        if (thresholds.HighestUserWastedPercent is { } percent && analysis.WastedUserPercent > percent)
            failures.Add($"highest-user-wasted-percent: too many bytes wasted, relative to the user bytes added (user-wasted-percent={Number(analysis.WastedUserPercent)} > threshold={Number(percent)})");
        return failures;
    }

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
