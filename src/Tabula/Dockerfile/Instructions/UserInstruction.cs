using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Instructions;

/// <summary><c>USER user[:group]</c>.</summary>
internal sealed record UserInstruction(InstructionSource Source, string User) : Instruction(Source)
{
    public override UserInstruction Expand(ShellWordExpander expander) =>
        Expanding(() => this with { User = expander.ProcessWord(User) });
}
