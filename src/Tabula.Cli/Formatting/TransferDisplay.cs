using Tabula.Transports;

namespace Tabula.Cli.Formatting;

/// <summary>
/// The progress of <c>pull</c>, <c>push</c> and <c>copy</c>, chosen by the verb: on a terminal one line per layer
/// redrawn in place, else plain lines as each blob finishes, and with <c>-q</c> nothing.
/// </summary>
public static class TransferDisplay
{
    /// <param name="width">The terminal's width, asked before each frame (default: this process's terminal).</param>
    public static IProgress<TransferEvent>? Create(TextWriter output, bool quiet, bool terminal, bool pushing, string? mountedFrom = null, Func<int>? width = null)
        => quiet ? null
            : terminal ? new TransferBars(output, pushing, mountedFrom, width ?? TerminalWidth.Current)
            : new TransferPrinter(output, pushing, mountedFrom);

    /// <summary>Whether the verb's output is this process's own stdout, and that a terminal.</summary>
    public static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>docker's words for a blob that is done; null while it is still moving (or for a manifest).</summary>
    internal static string? FinalStatus(TransferKind kind, bool pushing, string? mountedFrom) => kind switch
    {
        TransferKind.Exists => pushing ? "Layer already exists" : "Already exists",
        TransferKind.Downloaded => "Pull complete",
        TransferKind.Uploaded => "Pushed",
        TransferKind.Mounted => $"Mounted from {mountedFrom ?? "another repository"}",
        TransferKind.Compressed => "Compressed",
        _ => null,
    };
}

/// <summary>
/// Progress as plain lines for logs: one per blob as it finishes, in docker's words, never redrawn (no carriage
/// return or escape code). A compressed layer's line names the layer it came from.
/// </summary>
public sealed class TransferPrinter(TextWriter output, bool pushing, string? mountedFrom = null) : IProgress<TransferEvent>
{
    private readonly Lock _lock = new();

    public void Report(TransferEvent value)
    {
        if (TransferDisplay.FinalStatus(value.Kind, pushing, mountedFrom) is not { } line) return;
        if (value is { Kind: TransferKind.Compressed, From: { } from }) line = $"Compressed from layer {from.Short} ({HumanUnits.Size(value.Size)})";
        lock (_lock) output.WriteLine($"{value.Digest.Short}: {line}");
    }
}
