using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Instructions;

/// <summary><c>ARG name[=default] …</c>. Before the first FROM these are the meta-ARGs.</summary>
internal sealed record ArgInstruction(InstructionSource Source, IReadOnlyList<ArgDeclaration> Arguments) : Instruction(Source)
{
    /// <summary>Expands the default values only (names stay as written), as BuildKit does at dispatch.</summary>
    public override ArgInstruction Expand(ShellWordExpander expander) => Expanding(() => this with
    {
        Arguments = Arguments.Select(a => a with { DefaultValue = ProcessOptional(a.DefaultValue, expander) }).ToArray(),
    });

    /// <summary>
    /// One declaration with its default expanded, errors located at this instruction: BuildKit expands a default
    /// only when no build arg gives the value, and each with the values the declarations before it set.
    /// </summary>
    public ArgDeclaration ExpandDefault(ArgDeclaration declaration, ShellWordExpander expander)
        => Expanding(() => declaration with { DefaultValue = ProcessOptional(declaration.DefaultValue, expander) });
}
