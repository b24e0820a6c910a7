using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Instructions;

/// <summary>ENV and LABEL: ordered key/value pairs whose keys and values are both expanded.</summary>
internal abstract record KeyValueInstruction(InstructionSource Source, IReadOnlyList<KeyValue> Pairs) : Instruction(Source)
{
    /// <summary>A copy of the same kind (ENV stays ENV) with every key and value expanded.</summary>
    public override KeyValueInstruction Expand(ShellWordExpander expander) =>
        Expanding(() => this with { Pairs = Pairs.Select(pair => pair.Expand(expander)).ToArray() });

    /// <summary>BuildKit's history text, <c>ENV k=v k2=v2</c>; call it on the expanded instruction.</summary>
    public string HistoryText => string.Join(" ", Pairs.Select(pair => pair.ToString()).Prepend(Keyword));
}
