namespace Tabula.Build;

/// <summary>
/// The events of one platform's build within a multi-platform build, made distinct from the other platforms': each
/// stage gets its own number and a label that starts with the platform (<c>linux/arm64 build</c>, as BuildKit labels
/// steps), and a warning already reported by an earlier platform's build is not reported again.
/// </summary>
internal sealed class PlatformEvents(IProgress<BuildEvent> target, Oci.Platform platform, int platformIndex, HashSet<BuildEvent> warningsSeen) : IProgress<BuildEvent>
{
    /// <summary>Stage numbers of platform N start at N times this, far above any Dockerfile's stage count.</summary>
    private const int StagesPerPlatform = 100_000;

    private readonly HashSet<int> _labelled = [];

    public void Report(BuildEvent value)
    {
        switch (value)
        {
            case BuildWarning or CheckWarningReported:
                lock (warningsSeen)
                    if (!warningsSeen.Add(value)) return;
                target.Report(value);
                break;
            case StagesPlanned p:
                lock (_labelled) _labelled.UnionWith(p.Stages.Select(s => s.Stage));
                target.Report(new StagesPlanned(p.Stages.Select(s => (Stage(s.Stage), $"{platform} {s.Label}")).ToList()));
                break;
            case StepStarted s:
                Label(s.Stage);
                target.Report(s with { Stage = Stage(s.Stage) });
                break;
            case StepFinished f:
                target.Report(f with { Stage = Stage(f.Stage) });
                break;
            case StepCacheHit c:
                target.Report(c with { Stage = Stage(c.Stage) });
                break;
            case StepOutput o:
                target.Report(o with { Stage = Stage(o.Stage) });
                break;
            case BaseImageTransfer t:
                Label(t.Stage);
                target.Report(t with { Stage = Stage(t.Stage) });
                break;
            default:
                target.Report(value);
                break;
        }
    }

    /// <summary>A one-stage build plans no stages: its steps are still labelled with the platform.</summary>
    private void Label(int stage)
    {
        lock (_labelled)
            if (!_labelled.Add(stage)) return;
        target.Report(new StagesPlanned([(Stage(stage), platform.ToString())]));
    }

    private int Stage(int stage) => platformIndex * StagesPerPlatform + stage;
}
