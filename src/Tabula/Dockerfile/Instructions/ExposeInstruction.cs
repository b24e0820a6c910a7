using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Instructions;

/// <summary><c>EXPOSE port[/proto] …</c>; BuildKit sorts the ports as written.</summary>
internal sealed record ExposeInstruction(InstructionSource Source, IReadOnlyList<string> Ports) : Instruction(Source)
{
    /// <summary>Each port word is expanded and split into fields, so one variable may hold several ports.</summary>
    public override ExposeInstruction Expand(ShellWordExpander expander) =>
        Expanding(() => this with { Ports = Ports.SelectMany(expander.ProcessWords).ToArray() });
}
