using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Instructions;

/// <summary><c>ADD [--chown --chmod --link --checksum --keep-git-dir --unpack --exclude…] src… dest</c>.</summary>
/// <param name="Checksum">--checksum (only for URL and git sources), null when absent.</param>
/// <param name="KeepGitDir">--keep-git-dir; null when not written.</param>
/// <param name="Unpack">--unpack; null when not written (then local archives are unpacked and URLs are not).</param>
internal sealed record AddInstruction(
    InstructionSource Source,
    FileTransfer Transfer,
    string? Checksum,
    bool? KeepGitDir,
    bool? Unpack)
    : Instruction(Source)
{
    public override AddInstruction Expand(ShellWordExpander expander) => Expanding(() => this with
    {
        Transfer = Transfer.Expand(expander),
        Checksum = ProcessOptional(Checksum, expander),
    });

    /// <summary>BuildKit's history <c>created_by</c> without the <c> # buildkit</c> suffix; call it on the expanded instruction.</summary>
    public string HistoryText => Transfer.HistoryText("ADD", parents: false);
}
