using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Instructions;

/// <summary><c>VOLUME ["/a", "/b"]</c> or <c>VOLUME /a /b</c>.</summary>
internal sealed record VolumeInstruction(InstructionSource Source, IReadOnlyList<string> Volumes) : Instruction(Source)
{
    public override VolumeInstruction Expand(ShellWordExpander expander) =>
        Expanding(() => this with { Volumes = ProcessEach(Volumes, expander) });
}
