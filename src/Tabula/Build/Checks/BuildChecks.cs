using Tabula.Dockerfile;
using Tabula.Dockerfile.Checks;
using Tabula.Dockerfile.Ignore;
using Tabula.Dockerfile.Instructions;
using Tabula.Oci;

namespace Tabula.Build.Checks;

/// <summary>
/// Runs the checks that need the build's inputs (global ARGs, .dockerignore, base images) over the stages a build
/// uses, or over every stage when only checking, before anything is built: as BuildKit, where <c>error=true</c>
/// stops a build before its first step.
/// </summary>
internal static class BuildChecks
{
    /// <summary>BuildKit's build argument for check options; given, it replaces the Dockerfile's <c># check=</c> directive.</summary>
    public const string BuildArg = "BUILDKIT_DOCKERFILE_CHECK";

    /// <exception cref="FormatException">The build arg or the directive is not valid check options.</exception>
    public static CheckOptions Options(string? directive, IReadOnlyDictionary<string, string> buildArgs)
    {
        var (text, source) = buildArgs.TryGetValue(BuildArg, out var given) ? (given, "--build-arg " + BuildArg) : (directive ?? "", "the # check= directive");
        try
        {
            return CheckOptions.Parse(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"failed to parse check options of {source}: {e.Message}", e);
        }
    }

    /// <summary>Looks up a base image's facts; null when they cannot be known without pulling.</summary>
    public delegate Task<BaseFacts?> BaseLookup(string name, Platform platform, CancellationToken cancellationToken);

    public static async Task RunAsync(DockerfileDocument document, IEnumerable<Stage> stages, MetaArgs metaArgs, MetaArgs? defaults,
        BuildOptions options, DockerignoreMatcher ignore, BaseLookup lookup, CheckReport report, CancellationToken cancellationToken)
    {
        FromChecks.Run(document, metaArgs, defaults, report);
        var checks = new StageChecks(document, metaArgs, options.BuildArgs, ignore, report);
        var target = options.Platform ?? Platform.Host;
        var states = new Dictionary<int, StageCheckState>();
        foreach (var stage in stages.OrderBy(s => s.Index))
        {
            FromInstruction from;
            try
            {
                from = stage.From.Expand(metaArgs.Expander(document));
            }
            catch (DockerfileException)
            {
                continue; // the build reports it
            }
            StageCheckState state;
            if (from.BaseName.Equals("scratch", StringComparison.OrdinalIgnoreCase))
                state = StageCheckState.FromEnv([], hasShell: false, known: true);
            else if (document.FindStage(from.BaseName) is { } parent && parent.Index < stage.Index)
                state = states.TryGetValue(parent.Index, out var parentState) ? parentState.Clone() : StageCheckState.FromEnv([], false, known: false);
            else
                state = await ImageBaseAsync(stage, from, target, lookup, report, cancellationToken).ConfigureAwait(false);
            checks.Run(stage, state);
            states[stage.Index] = state;
        }
    }

    private static async Task<StageCheckState> ImageBaseAsync(Stage stage, FromInstruction from, Platform target, BaseLookup lookup, CheckReport report, CancellationToken cancellationToken)
    {
        Platform wanted;
        try
        {
            wanted = from.Platform is { Length: > 0 } p ? Platform.Parse(p) : target;
        }
        catch (FormatException)
        {
            return StageCheckState.FromEnv([], false, known: false); // the build reports it
        }
        if (await lookup(from.BaseName, wanted, cancellationToken).ConfigureAwait(false) is not { } facts)
            return StageCheckState.FromEnv([], false, known: false);
        if (facts.Platform.Os != wanted.Os || facts.Platform.Architecture != wanted.Architecture)
            report.Report(CheckRules.InvalidBaseImagePlatform, stage.Location,
                CheckRules.InvalidBaseImagePlatformMessage(stage.BaseName, Format(wanted), Format(facts.Platform)));
        return StageCheckState.FromEnv(facts.Env, facts.HasShell, known: true);
    }

    /// <summary>containerd's normalized form, as BuildKit prints it: arm64's default variant v8 is left out.</summary>
    private static string Format(Platform platform) =>
        platform.Architecture == "arm64" && platform.Variant is "v8" or "8" ? $"{platform.Os}/{platform.Architecture}" : platform.ToString();
}
