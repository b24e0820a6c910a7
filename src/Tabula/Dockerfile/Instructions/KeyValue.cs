using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Instructions;

/// <summary>One ENV or LABEL pair; <paramref name="LegacyForm"/> marks <c>ENV key value</c> (no <c>=</c>), which BuildKit lints.</summary>
internal sealed record KeyValue(string Key, string Value, bool LegacyForm = false)
{
    /// <summary><c>key=value</c>, as BuildKit writes pairs into history.</summary>
    public override string ToString() => Key + "=" + Value;

    /// <summary>Both the key and the value are expanded, as BuildKit does for ENV and LABEL.</summary>
    public KeyValue Expand(ShellWordExpander expander) =>
        this with { Key = expander.ProcessWord(Key), Value = expander.ProcessWord(Value) };
}
