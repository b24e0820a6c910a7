using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;

namespace Tabula.Build;

/// <summary>An expanded ADD or COPY, with what differs between the two (ADD's --checksum and --unpack).</summary>
internal sealed record TransferRequest(FileTransfer Transfer, bool IsAdd, string? From, bool Parents, SourceLocation Location, Oci.Digest? Checksum = null, bool? Unpack = null)
{
    /// <summary>BuildKit's rule: ADD unpacks local archives unless --unpack=false; a URL only with --unpack=true.</summary>
    public bool UnpacksLocal => IsAdd && Unpack != false;

    public string Keyword => IsAdd ? "ADD" : "COPY";

    /// <summary>
    /// Whether a later step of the stage, or another stage, may read the stage's file tree after this step. When none
    /// will, a copy onto an empty stage may stream into its layer without building a tree (<see cref="StreamedCopy"/>).
    /// </summary>
    public bool TreeNeededAfter { get; init; } = true;
}
