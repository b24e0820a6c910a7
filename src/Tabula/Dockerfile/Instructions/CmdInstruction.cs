using Tabula.Dockerfile.Syntax;

namespace Tabula.Dockerfile.Instructions;

/// <summary><c>CMD ["exec", "form"]</c> or <c>CMD shell form</c>.</summary>
internal sealed record CmdInstruction(InstructionSource Source, CommandLine Command) : Instruction(Source)
{
    /// <summary>BuildKit's history text, <c>CMD ["/bin/sh" "-c" "…"]</c> style, given the stage's SHELL.</summary>
    public string HistoryText(IReadOnlyList<string> shell) => "CMD " + GoQuote.QuoteList(Command.WithShell(shell));
}
