namespace Tabula.Build.Checks;

/// <summary>
/// What BuildKit's dispatch knows of a stage when it checks an instruction: the variables expansion sees, the ARG
/// names declared (set or not), whether a SHELL or an absolute WORKDIR came before. A stage built on another starts
/// from a copy of that one's final state.
/// </summary>
internal sealed class StageCheckState
{
    public Dictionary<string, string> Variables { get; private init; } = new(StringComparer.Ordinal);
    public HashSet<string> DeclaredArgs { get; private init; } = new(StringComparer.Ordinal);

    /// <summary>False when the base image is not in the store yet: its variables are unknown, so no variable is called undefined.</summary>
    public bool EnvKnown { get; init; } = true;

    public bool HasShell { get; set; }
    public bool WorkdirSet { get; set; }

    public static StageCheckState FromEnv(IEnumerable<string> env, bool hasShell, bool known)
    {
        var state = new StageCheckState { EnvKnown = known, HasShell = hasShell };
        foreach (var entry in env)
        {
            var eq = entry.IndexOf('=');
            if (eq > 0) state.Variables[entry[..eq]] = entry[(eq + 1)..];
        }
        // BuildKit sets PATH on every Linux stage that lacks one.
        state.Variables.TryAdd("PATH", Images.EmptyImage.DefaultPath["PATH=".Length..]);
        return state;
    }

    public StageCheckState Clone() => new()
    {
        Variables = new(Variables, StringComparer.Ordinal),
        DeclaredArgs = new(DeclaredArgs, StringComparer.Ordinal),
        EnvKnown = EnvKnown,
        HasShell = HasShell,
        WorkdirSet = WorkdirSet,
    };
}
