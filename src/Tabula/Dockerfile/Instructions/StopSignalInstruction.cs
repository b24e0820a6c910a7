using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Instructions;

/// <summary><c>STOPSIGNAL signal</c> (a name such as SIGTERM or a number).</summary>
internal sealed record StopSignalInstruction(InstructionSource Source, string Signal) : Instruction(Source)
{
    public override StopSignalInstruction Expand(ShellWordExpander expander) =>
        Expanding(() => this with { Signal = expander.ProcessWord(Signal) });
}
