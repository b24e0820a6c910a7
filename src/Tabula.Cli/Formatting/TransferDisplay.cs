using System.Diagnostics;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Cli.Formatting;

/// <summary>
/// The progress of <c>pull</c>, <c>push</c> and <c>copy</c>, chosen by the verb: on a terminal one line per layer
/// redrawn in place, else plain lines as each blob finishes, and with <c>-q</c> nothing.
/// </summary>
public static class TransferDisplay
{
    public static IProgress<TransferEvent>? Create(TextWriter output, bool quiet, bool terminal, bool pushing, string? mountedFrom = null)
        => quiet ? null
            : terminal ? new TransferBars(output, pushing, mountedFrom)
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
        _ => null,
    };
}

/// <summary>Progress as plain lines, one per blob, in docker's words.</summary>
public sealed class TransferPrinter(TextWriter output, bool pushing, string? mountedFrom = null) : IProgress<TransferEvent>
{
    private readonly Lock _lock = new();

    public void Report(TransferEvent value)
    {
        if (TransferDisplay.FinalStatus(value.Kind, pushing, mountedFrom) is not { } line) return;
        lock (_lock) output.WriteLine($"{value.Digest.Short}: {line}");
    }
}

/// <summary>
/// Progress for a terminal, as docker draws it: one line per layer (<c>abc123def456: Downloading [==>   ] 1.2MB/3.4MB</c>,
/// then its final status), all redrawn in place with ANSI cursor-up and erase-line. Byte progress redraws at most
/// every 100 ms; a layer starting or finishing redraws at once, so the last frame always shows every final status.
/// </summary>
public sealed class TransferBars(TextWriter output, bool pushing, string? mountedFrom = null) : IProgress<TransferEvent>
{
    private const int BarWidth = 50;
    private static readonly long RedrawTicks = Stopwatch.Frequency / 10;

    private readonly Lock _lock = new();
    private readonly List<Digest> _order = [];
    private readonly Dictionary<Digest, string> _lines = [];
    private int _drawn;
    private long _drawnAt;

    public void Report(TransferEvent value)
    {
        string? line = TransferDisplay.FinalStatus(value.Kind, pushing, mountedFrom) ?? value.Kind switch
        {
            TransferKind.Started or TransferKind.Progress => Moving(value.Size, value.Done),
            _ => null,
        };
        if (line is null) return;
        lock (_lock)
        {
            if (!_lines.ContainsKey(value.Digest)) _order.Add(value.Digest);
            _lines[value.Digest] = $"{value.Digest.Short}: {line}";
            long now = Stopwatch.GetTimestamp();
            if (value.Kind == TransferKind.Progress && _drawn == _order.Count && now - _drawnAt < RedrawTicks) return;
            Redraw(now);
        }
    }

    private string Moving(long size, long done)
    {
        var verb = pushing ? "Pushing" : "Downloading";
        if (size <= 0) return $"{verb} {HumanUnits.Size(done)}";
        done = Math.Clamp(done, 0, size);
        int filled = (int)(BarWidth * done / size);
        var bar = filled >= BarWidth ? new string('=', BarWidth) : new string('=', filled) + ">" + new string(' ', BarWidth - filled - 1);
        return $"{verb} [{bar}]  {HumanUnits.Size(done)}/{HumanUnits.Size(size)}";
    }

    private void Redraw(long now)
    {
        var frame = new System.Text.StringBuilder();
        if (_drawn > 0) frame.Append($"\x1b[{_drawn}A");
        foreach (var digest in _order) frame.Append("\x1b[2K").Append(_lines[digest]).Append('\n');
        output.Write(frame.ToString());
        output.Flush();
        _drawn = _order.Count;
        _drawnAt = now;
    }
}
