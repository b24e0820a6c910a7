using Tabula.Dockerfile.Syntax;

namespace Tabula.Dockerfile.Instructions;

/// <summary><c>ENTRYPOINT ["exec", "form"]</c> or <c>ENTRYPOINT shell form</c>; an empty list resets it.</summary>
internal sealed record EntrypointInstruction(InstructionSource Source, CommandLine Command) : Instruction(Source)
{
    /// <summary>BuildKit's history text given the stage's SHELL.</summary>
    public string HistoryText(IReadOnlyList<string> shell) => "ENTRYPOINT " + GoQuote.QuoteList(Command.WithShell(shell));
}
