using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;

namespace Tabula.Build;

/// <summary>An expanded ADD or COPY, with what differs between the two.</summary>
internal sealed record TransferRequest(FileTransfer Transfer, bool IsAdd, string? From, bool Parents, SourceLocation Location)
{
    public string Keyword => IsAdd ? "ADD" : "COPY";
}
