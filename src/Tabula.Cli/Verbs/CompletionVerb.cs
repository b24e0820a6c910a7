using System.CommandLine;
using Tabula.Cli.Completion;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula completion bash|zsh|fish</c>: the shell's completion script, to source or install.</summary>
internal static class CompletionVerb
{
    public static Command Create(CliContext context)
    {
        var shell = new Argument<string>("SHELL") { Description = $"The shell: {string.Join(", ", CompletionScripts.Shells)}" };
        shell.CompletionSources.Add([.. CompletionScripts.Shells]);
        var command = new Command("completion", "Print a shell completion script (source <(tabula completion bash))") { shell };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(shell)!;
            var script = CompletionScripts.For(name) ?? throw new UsageException($"no completion for shell '{name}': use {string.Join(", ", CompletionScripts.Shells)}");
            context.Out.Write(script);
            return CliApp.Ok;
        });
        return command;
    }
}
