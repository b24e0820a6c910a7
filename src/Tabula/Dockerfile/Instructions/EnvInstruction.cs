namespace Tabula.Dockerfile.Instructions;

/// <summary><c>ENV key=value…</c> or the legacy <c>ENV key value</c>; values keep their quotes until expanded.</summary>
internal sealed record EnvInstruction(InstructionSource Source, IReadOnlyList<KeyValue> Pairs) : KeyValueInstruction(Source, Pairs);
