using Tabula.Dockerfile;
using Tabula.Dockerfile.Checks;
using Tabula.Dockerfile.Expansion;
using Tabula.Dockerfile.Instructions;
using Tabula.Oci;

namespace Tabula.Build.Checks;

/// <summary>The checks of each FROM against the global ARGs (BuildKit makes them for every stage, built or not).</summary>
internal static class FromChecks
{
    public static void Run(DockerfileDocument document, MetaArgs metaArgs, MetaArgs? defaults, CheckReport report)
    {
        if (defaults is not null) CheckDefaults(document, defaults, report);
        // Declared global ARGs count even without a value; so do the predefined ones.
        var declared = document.MetaArgs.SelectMany(a => a.Arguments).Select(d => d.Name).Concat(metaArgs.Values.Keys).ToHashSet(StringComparer.Ordinal);
        var comments = document.Syntax.Nodes.ToDictionary(n => n.Range.StartLine, n => n.Comments);
        foreach (var stage in document.Stages)
        {
            var stageComments = comments.GetValueOrDefault(stage.Location.StartLine);
            var expander = metaArgs.Expander(document);
            if (TryExpand(expander, stage.BaseName) is { } name)
                ReportUndeclared(name.Unmatched, declared, stage.Location, stageComments, report);
            if (stage.Platform is not { } platform || TryExpand(expander, platform) is not { } expanded) continue;
            ReportUndeclared(expanded.Unmatched, declared, stage.Location, stageComments, report);
            // Only $TARGETPLATFORM, alone, giving the target platform: what FROM does without the flag.
            if (expanded.Matched.Count == 1 && expanded.Unmatched.Count == 0 && expanded.Matched.Contains("TARGETPLATFORM")
                && metaArgs.Values.GetValueOrDefault("TARGETPLATFORM") == expanded.Result)
                report.Report(CheckRules.RedundantTargetPlatform, stage.Location, CheckRules.RedundantTargetPlatformMessage(platform), stageComments);
            if (expanded.Matched.Count == 0 && expanded.Unmatched.Count == 0 && ConstantPlatformUnexplained(expanded.Result, stage.Name ?? ""))
                report.Report(CheckRules.FromPlatformFlagConstDisallowed, stage.Location, CheckRules.FromPlatformFlagConstDisallowedMessage(expanded.Result), stageComments);
        }
    }

    /// <summary>
    /// With no --build-arg, each base name must still be an image reference: a global ARG's default that gives an empty
    /// or broken name only works while every user passes a value. An expansion error abandons the check, as in BuildKit.
    /// </summary>
    private static void CheckDefaults(DockerfileDocument document, MetaArgs defaults, CheckReport report)
    {
        var expander = defaults.Expander(document);
        foreach (var stage in document.Stages)
        {
            if (TryExpand(expander, stage.BaseName) is not { } name) return;
            if (!ImageReference.TryParse(name.Result, out _))
                report.Report(CheckRules.InvalidDefaultArgInFrom, stage.Location, CheckRules.InvalidDefaultArgInFromMessage(stage.BaseName));
        }
    }

    private static void ReportUndeclared(IReadOnlySet<string> unmatched, HashSet<string> declared, SourceLocation location, IReadOnlyList<string>? comments, CheckReport report)
    {
        foreach (var name in unmatched.Where(n => !declared.Contains(n)).Order(StringComparer.Ordinal))
            report.Report(CheckRules.UndefinedArgInFrom, location, CheckRules.UndefinedArgInFromMessage(name, Suggestion.Find(name, declared, caseSensitive: true)), comments);
    }

    /// <summary>A constant platform is fine when the stage's name says which platform it is for (e.g. <c>AS build_arm64</c>).</summary>
    private static bool ConstantPlatformUnexplained(string platform, string stageName)
    {
        Platform parsed;
        try
        {
            parsed = Platform.Parse(platform);
        }
        catch (FormatException)
        {
            return false; // the build reports it
        }
        return !stageName.Contains(parsed.Os, StringComparison.Ordinal) && !stageName.Contains(parsed.Architecture, StringComparison.Ordinal);
    }

    private static WordExpansion? TryExpand(ShellWordExpander expander, string word)
    {
        try
        {
            return expander.Expand(word);
        }
        catch (ShellExpansionException)
        {
            return null;
        }
    }
}
