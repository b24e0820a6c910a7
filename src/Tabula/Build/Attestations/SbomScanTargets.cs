using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Build.Attestations;

/// <summary>A filesystem an SBOM is made of: an image's layers (with its config), or the build context.</summary>
internal sealed record ScanSource(IReadOnlyList<ILayer>? Layers, ImageConfig? Config, BuildContext? Context);

/// <summary>
/// What an SBOM scan covers, as BuildKit chooses it: the image (<see cref="Core"/>) and, as extras by name, the build
/// context (<c>context</c>) when the target stage turns on <see cref="SbomAttestation.ScanContextArg"/>, and every other
/// stage the target is built from that turns on <see cref="SbomAttestation.ScanStageArg"/>. A stage turns an arg on by
/// its value where the stage sees it: a global ARG (with --build-arg over its default), then the stage's own ARG.
/// A --build-arg of an arg that no ARG declares turns nothing on.
/// </summary>
internal sealed record SbomScanTargets(ScanSource Core, IReadOnlyDictionary<string, ScanSource> Extras)
{
    /// <param name="stages">Each stage built, by name (<c>stage-N</c> when unnamed), with its final state; the target among them.</param>
    public static SbomScanTargets Select(ScanSource core, string targetName, IReadOnlyDictionary<string, StageState> stages, IReadOnlyDictionary<string, string> globalArgs,
        BuildContext context)
    {
        ArgumentNullException.ThrowIfNull(stages);
        var extras = new SortedDictionary<string, ScanSource>(StringComparer.Ordinal);
        if (Enabled(SbomAttestation.ScanContextArg, targetName, stages[targetName], globalArgs))
            extras["context"] = new ScanSource(null, null, context);
        foreach (var (name, state) in stages)
        {
            if (name == targetName || !Enabled(SbomAttestation.ScanStageArg, name, state, globalArgs)) continue;
            extras[name] = new ScanSource(state.Layers, state.Config, null);
        }
        return new SbomScanTargets(core, extras);
    }

    private static bool Enabled(string arg, string stageName, StageState state, IReadOnlyDictionary<string, string> globalArgs)
    {
        bool enabled = globalArgs.TryGetValue(arg, out var global) && SbomAttestation.EnabledForStage(stageName, global);
        if (state.Args.TryGetValue(arg, out var own) && own is not null) enabled = SbomAttestation.EnabledForStage(stageName, own);
        return enabled;
    }
}
