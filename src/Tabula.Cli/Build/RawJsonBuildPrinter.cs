using System.Globalization;
using System.Text.Json;
using Tabula.Build;
using Tabula.Build.SharedCache;
using Tabula.Oci;

namespace Tabula.Cli.Build;

/// <summary>
/// <c>--progress=rawjson</c>: one JSON object per line per build event, written whole, for tools. The shape is
/// documented in the README and kept stable: fields are only ever added.
/// </summary>
internal sealed class RawJsonBuildPrinter(TextWriter output, TimeProvider time) : IBuildDisplay
{
    private readonly Lock _lock = new();
    private Dictionary<int, string> _labels = [];

    public void Report(BuildEvent value)
    {
        var line = value switch
        {
            StagesPlanned p => Event("stages") with { Stages = p.Stages.Select(s => new BuildStageJson(s.Stage, s.Label)).ToList() },
            StepStarted s => Event("step.started", s.Stage, s.Step) with { Steps = s.StepCount, Text = s.Text },
            StepCacheHit c => Event("step.cached", c.Stage, c.Step),
            StepOutput o => Event("step.log", o.Stage, o.Step) with { Line = o.Line },
            StepFinished f => Event("step.finished", f.Stage, f.Step) with
            {
                Seconds = Math.Round(f.Elapsed.TotalSeconds, 3),
                Layer = f.Layer?.ToString(),
                LayerSize = f.Layer is null ? null : f.LayerSize,
            },
            BuildWarning w => Event("warning") with { Message = w.Message },
            CheckWarningReported c => Event("warning") with { Message = c.Warning.Short },
            CacheWarning w => Event("warning") with { Message = w.Message },
            CacheProgress c => Event("cache") with { Message = c.Text },
            CacheTransfer t when CacheTransferLine.Of(t) is { } text => Event("cache") with { Message = text },
            _ => null,
        };
        if (line is not null) Write(line);
    }

    public void Completed(BuildResult result, IReadOnlyList<ImageReference> names) => Write(Event("build.finished") with
    {
        ImageId = result.ImageId.ToString(),
        Manifest = result.Manifest.Digest.ToString(),
        Names = names.Select(n => n.ToString()).ToList(),
    });

    public void Failed() => Write(Event("build.failed"));

    public void Dispose()
    {
    }

    private BuildEventJson Event(string type, int? stage = null, int? step = null)
    {
        string? name;
        lock (_lock) name = stage is { } s ? _labels.GetValueOrDefault(s) : null;
        return new BuildEventJson(time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture), type) { Stage = stage, StageName = name, Step = step };
    }

    private void Write(BuildEventJson value)
    {
        var text = JsonSerializer.Serialize(value, BuildJsonContext.Compact.BuildEventJson);
        lock (_lock)
        {
            if (value.Stages is { } stages) _labels = stages.ToDictionary(s => s.Stage, s => s.Name);
            output.WriteLine(text);
            output.Flush();
        }
    }
}
