namespace Tabula.Dockerfile.Instructions;

/// <summary><c>LABEL key=value…</c> or the legacy <c>LABEL key value</c>; values keep their quotes until expanded.</summary>
internal sealed record LabelInstruction(InstructionSource Source, IReadOnlyList<KeyValue> Pairs) : KeyValueInstruction(Source, Pairs);
