using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Instructions;

/// <summary><c>WORKDIR path</c>; a relative path is taken from the previous working directory by the build.</summary>
internal sealed record WorkdirInstruction(InstructionSource Source, string Path) : Instruction(Source)
{
    public override WorkdirInstruction Expand(ShellWordExpander expander) =>
        Expanding(() => this with { Path = expander.ProcessWord(Path) });
}
