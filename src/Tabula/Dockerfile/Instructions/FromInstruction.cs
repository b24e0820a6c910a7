using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Instructions;

/// <summary><c>FROM [--platform=…] image [AS name]</c>; the stage name is lower-cased, as in BuildKit.</summary>
internal sealed record FromInstruction(InstructionSource Source, string BaseName, string? StageName, string? Platform)
    : Instruction(Source)
{
    /// <summary>Expands the image and platform, normally against the meta-ARGs declared before the first FROM.</summary>
    public override FromInstruction Expand(ShellWordExpander expander) => Expanding(() => this with
    {
        BaseName = expander.ProcessWord(BaseName),
        Platform = ProcessOptional(Platform, expander),
    });
}
