using Tabula.Build;
using Tabula.Build.SharedCache;
using Tabula.Cli.Formatting;
using Tabula.Cli.Verbs;
using Tabula.Oci;

namespace Tabula.Cli.Build;

/// <summary>
/// Prints steps the way the classic docker builder does, so logs and scripts read the same. Stages of a multi-stage
/// build may run side by side, so there each line starts with its stage's label, and lines are written whole.
/// </summary>
internal sealed class PlainBuildPrinter(TextWriter output) : IBuildDisplay
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, string> _labels = [];
    private readonly BaseImagePullDisplay _pulls = new(output, terminal: false);

    public void Report(BuildEvent value)
    {
        lock (_lock)
        {
            switch (value)
            {
                case StagesPlanned p:
                    foreach (var (stage, label) in p.Stages) _labels[stage] = $"[{label}] ";
                    break;
                case StepStarted s:
                    output.WriteLine($"{Label(s.Stage)}Step {s.Step}/{s.StepCount} : {s.Text.ReplaceLineEndings(" ")}");
                    break;
                case StepFinished { Layer: { } layer } f:
                    output.WriteLine($"{Label(f.Stage)} ---> layer {layer.Short} ({HumanUnits.Size(f.LayerSize)} compressed, {f.Elapsed.TotalSeconds:0.00}s)");
                    break;
                case StepCacheHit c:
                    output.WriteLine($"{Label(c.Stage)} ---> Using cache");
                    break;
                case StepOutput o:
                    output.WriteLine($"{Label(o.Stage)} {o.Step}| {o.Line}");
                    break;
                case BuildWarning w:
                    output.WriteLine($"[Warning] {w.Message}");
                    break;
                case BaseImageTransfer t:
                    _pulls.Report(t);
                    break;
                case CheckWarningReported c:
                    output.WriteLine($"WARN: {c.Warning.Short}");
                    break;
                case CacheTransfer t:
                    _pulls.Report(t);
                    break;
                case CacheProgress c:
                    output.WriteLine(c.Text);
                    break;
                case CacheWarning w:
                    output.WriteLine($"warning: {w.Message}");
                    break;
            }
        }
    }

    public void Completed(BuildResult result, IReadOnlyList<ImageReference> names)
    {
        output.WriteLine($"Successfully built {result.ImageId.Short}");
        foreach (var name in names) output.WriteLine($"Successfully tagged {name.ToFamiliarString()}");
        BuildCheckOutput.PrintSummary(output, result.Warnings);
    }

    public void Failed()
    {
    }

    public void Dispose()
    {
    }

    private string Label(int stage) => _labels.GetValueOrDefault(stage, "");
}
