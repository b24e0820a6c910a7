namespace Tabula.Dockerfile.Instructions;

/// <summary>
/// The command of RUN, CMD, ENTRYPOINT or HEALTHCHECK CMD. Exec form (JSON) keeps the list;
/// shell form is one string and <paramref name="PrependShell"/> says the stage's SHELL goes in front.
/// </summary>
internal sealed record CommandLine(IReadOnlyList<string> Arguments, bool PrependShell)
{
    /// <summary>What the container runs: the shell in front for shell form, the list as is for exec form.</summary>
    public IReadOnlyList<string> WithShell(IReadOnlyList<string> shell) => PrependShell ? [.. shell, .. Arguments] : Arguments;

    internal static CommandLine FromArguments(IReadOnlyList<string> arguments, bool isJson) =>
        isJson || arguments.Count == 0
            ? new CommandLine(arguments, PrependShell: !isJson)
            : new CommandLine([string.Join(" ", arguments)], PrependShell: true);
}
