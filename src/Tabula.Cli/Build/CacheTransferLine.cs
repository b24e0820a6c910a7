using Tabula.Build.SharedCache;
using Tabula.Cli.Formatting;

namespace Tabula.Cli.Build;

/// <summary>A finished blob of a shared cache as one line (<c>exporting cache to REF: 0123abcd: Pushed</c>); null while it moves.</summary>
internal static class CacheTransferLine
{
    public static string? Of(CacheTransfer value)
        => TransferDisplay.FinalStatus(value.Transfer.Kind, value.Exporting, mountedFrom: null) is { } status
            ? $"{(value.Exporting ? "exporting cache to" : "importing cache from")} {value.Cache}: {value.Transfer.Digest.Short}: {status}"
            : null;
}
