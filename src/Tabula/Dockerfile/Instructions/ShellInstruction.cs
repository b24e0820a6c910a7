namespace Tabula.Dockerfile.Instructions;

/// <summary><c>SHELL ["executable", "parameters"]</c>; only the JSON form is allowed.</summary>
internal sealed record ShellInstruction(InstructionSource Source, IReadOnlyList<string> Shell) : Instruction(Source)
{
    /// <summary>BuildKit's history text: Go's <c>%v</c> of the list, <c>SHELL [/bin/bash -c]</c>.</summary>
    public string HistoryText => "SHELL [" + string.Join(" ", Shell) + "]";
}
