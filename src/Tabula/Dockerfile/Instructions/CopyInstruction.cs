using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Instructions;

/// <summary><c>COPY [--from --chown --chmod --link --parents --exclude…] src… dest</c>.</summary>
/// <param name="From">--from: a stage name, stage index or image; null when absent. BuildKit expands it
/// against the meta-ARGs only, so <see cref="Expand"/> leaves it alone.</param>
/// <param name="Parents">--parents: keep the source's parent directories under the destination.</param>
internal sealed record CopyInstruction(
    InstructionSource Source,
    FileTransfer Transfer,
    string? From,
    bool Parents)
    : Instruction(Source)
{
    public override CopyInstruction Expand(ShellWordExpander expander) =>
        Expanding(() => this with { Transfer = Transfer.Expand(expander) });

    /// <summary>BuildKit's history <c>created_by</c> without the <c> # buildkit</c> suffix; call it on the expanded instruction.</summary>
    public string HistoryText => Transfer.HistoryText("COPY", Parents);
}
