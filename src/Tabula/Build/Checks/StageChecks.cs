using Tabula.Dockerfile;
using Tabula.Dockerfile.Checks;
using Tabula.Dockerfile.Expansion;
using Tabula.Dockerfile.Ignore;
using Tabula.Dockerfile.Instructions;

namespace Tabula.Build.Checks;

/// <summary>
/// The checks BuildKit makes as it dispatches a stage's instructions (convert.go): each instruction is expanded
/// against the variables it would see, nothing runs. Only built stages are checked, all of them in check-only mode.
/// </summary>
internal sealed class StageChecks(DockerfileDocument document, MetaArgs metaArgs, IReadOnlyDictionary<string, string> buildArgs,
    DockerignoreMatcher ignore, CheckReport report)
{
    /// <summary>BuildKit's arguments that never reach the environment, so never undefined.</summary>
    private static readonly HashSet<string> NonEnvArgs = new(StringComparer.Ordinal) { "BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE" };

    private readonly Dictionary<int, Syntax> _nodes = document.Syntax.Nodes.ToDictionary(n => n.Range.StartLine, n => new Syntax(n.Keyword, n.Comments));

    private sealed record Syntax(string Keyword, IReadOnlyList<string> Comments);

    public void Run(Stage stage, StageCheckState state)
    {
        // CMD, ENTRYPOINT and HEALTHCHECK: the last of each wins, so an earlier one in the same stage is flagged.
        var lastOnce = new Dictionary<Type, Instruction>();
        foreach (var instruction in stage.Instructions)
        {
            var syntax = _nodes.GetValueOrDefault(instruction.Location.StartLine) ?? new Syntax(instruction.Keyword, []);
            if (instruction is ArgInstruction arg)
            {
                DeclareArgs(arg, state, syntax);
                continue;
            }
            var expander = Expander(state);
            Instruction expanded;
            try
            {
                expanded = instruction.Expand(expander);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                expanded = instruction; // the build reports it, located; the checks never stop a build that would work
            }
            ReportUndefined(expander, instruction, state, syntax);
            if (expanded is CmdInstruction or EntrypointInstruction or HealthcheckInstruction)
            {
                if (lastOnce.TryGetValue(expanded.GetType(), out var earlier))
                    Report(CheckRules.MultipleInstructionsDisallowed, earlier.Location, CheckRules.MultipleInstructionsDisallowedMessage(syntax.Keyword), syntax);
                lastOnce[expanded.GetType()] = expanded;
            }
            Check(expanded, state, syntax);
        }
    }

    private void Check(Instruction instruction, StageCheckState state, Syntax syntax)
    {
        switch (instruction)
        {
            case EnvInstruction env:
                foreach (var pair in env.Pairs)
                {
                    if (pair.LegacyForm) Report(CheckRules.LegacyKeyValueFormat, env.Location, CheckRules.LegacyKeyValueFormatMessage(syntax.Keyword), syntax);
                    CheckSecret("ENV", pair.Key, env.Location, syntax);
                    state.Variables[pair.Key] = pair.Value;
                }
                break;
            case LabelInstruction label:
                foreach (var pair in label.Pairs.Where(p => p.LegacyForm))
                    Report(CheckRules.LegacyKeyValueFormat, label.Location, CheckRules.LegacyKeyValueFormatMessage(syntax.Keyword), syntax);
                break;
            case CmdInstruction { Command.PrependShell: true } or EntrypointInstruction { Command.PrependShell: true } when !state.HasShell:
                Report(CheckRules.JsonArgsRecommended, instruction.Location, CheckRules.JsonArgsRecommendedMessage(syntax.Keyword), syntax);
                break;
            case ShellInstruction:
                state.HasShell = true;
                break;
            case WorkdirInstruction workdir:
                // Only the first WORKDIR of the build's chain of stages counts: fixing it fixes the relative ones after it.
                if (!state.WorkdirSet && !workdir.Path.StartsWith('/'))
                    Report(CheckRules.WorkdirRelativePath, workdir.Location, CheckRules.WorkdirRelativePathMessage(workdir.Path), syntax);
                state.WorkdirSet = true;
                break;
            case ExposeInstruction expose:
                foreach (var port in expose.Ports)
                {
                    var spec = ExposeSpec.Parse(port);
                    if (spec.Protocol.Any(char.IsUpper))
                        Report(CheckRules.ExposeProtoCasing, expose.Location, CheckRules.ExposeProtoCasingMessage(port), syntax);
                    if (spec.Ip.Length > 0 || spec.HostPort.Length > 0)
                        Report(CheckRules.ExposeInvalidFormat, expose.Location, CheckRules.ExposeInvalidFormatMessage(port), syntax);
                }
                break;
            case CopyInstruction { From: null } copy:
                CheckIgnored("Copy", copy.Transfer.Sources, copy.Location, syntax);
                break;
            case AddInstruction add:
                CheckIgnored("Add", add.Transfer.Sources.Where(s => !s.Contains("://", StringComparison.Ordinal) && !s.StartsWith("git@", StringComparison.Ordinal)), add.Location, syntax);
                break;
        }
    }

    /// <summary>ARG: a --build-arg wins, then the default (expanded, so it may use undefined variables), then the global value.</summary>
    private void DeclareArgs(ArgInstruction arg, StageCheckState state, Syntax syntax)
    {
        foreach (var declaration in arg.Arguments)
        {
            CheckSecret("ARG", declaration.Name, arg.Location, syntax);
            string? value;
            if (buildArgs.TryGetValue(declaration.Name, out var given)) value = given;
            else if (declaration.DefaultValue is not null)
            {
                var expander = Expander(state);
                try
                {
                    value = arg.ExpandDefault(declaration, expander).DefaultValue;
                }
                catch (DockerfileException)
                {
                    value = null;
                }
                ReportUndefined(expander, arg, state, syntax);
            }
            else value = metaArgs.Values.GetValueOrDefault(declaration.Name);
            if (value is not null) state.Variables[declaration.Name] = value;
            state.DeclaredArgs.Add(declaration.Name);
        }
    }

    private void ReportUndefined(ShellWordExpander expander, Instruction instruction, StageCheckState state, Syntax syntax)
    {
        if (!state.EnvKnown) return;
        foreach (var name in expander.UnmatchedVariables.Order(StringComparer.Ordinal))
        {
            if (state.DeclaredArgs.Contains(name) || NonEnvArgs.Contains(name)) continue;
            var suggestion = Suggestion.Find(name, state.Variables.Keys, caseSensitive: true);
            Report(CheckRules.UndefinedVar, instruction.Location, CheckRules.UndefinedVarMessage(name, suggestion), syntax);
        }
    }

    private void CheckSecret(string instruction, string name, SourceLocation location, Syntax syntax)
    {
        if (SecretNames.LooksSecret(name))
            Report(CheckRules.SecretsUsedInArgOrEnv, location, CheckRules.SecretsUsedInArgOrEnvMessage(instruction, name), syntax);
    }

    /// <summary>
    /// A source the .dockerignore excludes. Like BuildKit, only when the ignore file has no <c>!</c> pattern (which could
    /// re-include a file inside an excluded folder); the context root itself only when a pattern excludes everything.
    /// </summary>
    private void CheckIgnored(string command, IEnumerable<string> sources, SourceLocation location, Syntax syntax)
    {
        if (ignore.Patterns.Count == 0 || ignore.HasExclusions) return;
        foreach (var source in sources)
        {
            var clean = GoPath.Clean(source);
            var ignored = clean is "." or "/"
                ? ignore.Patterns.Any(p => !p.IsExclusion && p.Text is "*" or "**" or "**/*")
                : ignore.IsIgnored(clean.TrimStart('/'));
            if (ignored) Report(CheckRules.CopyIgnoredFile, location, CheckRules.CopyIgnoredFileMessage(command, clean), syntax);
        }
    }

    private ShellWordExpander Expander(StageCheckState state) => new(new VariableMap(state.Variables), document.EscapeToken);

    private void Report(CheckRule rule, SourceLocation location, string detail, Syntax syntax) => report.Report(rule, location, detail, syntax.Comments);
}
