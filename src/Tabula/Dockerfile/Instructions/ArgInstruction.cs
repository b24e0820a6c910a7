using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Instructions;

/// <summary><c>ARG name[=default] …</c>. Before the first FROM these are the meta-ARGs.</summary>
public sealed record ArgInstruction(InstructionSource Source, IReadOnlyList<ArgDeclaration> Arguments) : Instruction(Source)
{
    /// <summary>Expands the default values only (names stay as written), as BuildKit does at dispatch.</summary>
    public override ArgInstruction Expand(ShellWordExpander expander) => Expanding(() => this with
    {
        Arguments = Arguments.Select(a => a with { DefaultValue = ProcessOptional(a.DefaultValue, expander) }).ToArray(),
    });
}
