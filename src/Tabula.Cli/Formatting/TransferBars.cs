using System.Diagnostics;
using System.Text;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Cli.Formatting;

/// <summary>
/// Progress for a terminal, as docker draws it: one line per layer, redrawn in place with ANSI cursor-up and
/// erase-line, each line fitted to the terminal's width as it is at that frame (<see cref="TransferLine"/>). Byte
/// progress redraws at most every 100 ms; a layer starting or finishing redraws at once, so the last frame always
/// shows every final status.
/// </summary>
/// <remarks>
/// A window made narrower than a line already drawn leaves the terminal's rows unknown: some terminals rewrap the old
/// line over two rows, others cut it. Going up by the old count would then land in the wrong row, so that frame is
/// drawn afresh below the old one instead; a window made wider changes no row, and is redrawn in place.
/// </remarks>
public sealed class TransferBars(TextWriter output, bool pushing, string? mountedFrom, Func<int> width) : IProgress<TransferEvent>
{
    private static readonly long RedrawTicks = Stopwatch.Frequency / 10;

    /// <summary>What one layer's line shows: moving bytes (<see cref="Verb"/> set) or a final status.</summary>
    private sealed record Row(string? Verb, long Size, long Done, string? Final);

    private readonly Lock _lock = new();
    private readonly List<Digest> _order = [];
    private readonly Dictionary<Digest, Row> _rows = [];
    private int _drawn;
    private int _drawnLongest;
    private long _drawnAt;

    public void Report(TransferEvent value)
    {
        Row? row = TransferDisplay.FinalStatus(value.Kind, pushing, mountedFrom) is { } final ? new Row(null, value.Size, value.Size, final) : value.Kind switch
        {
            TransferKind.Started or TransferKind.Progress => new Row(pushing ? "Pushing" : "Downloading", value.Size, value.Done, null),
            TransferKind.Compressing => new Row("Compressing", value.Size, value.Done, null),
            _ => null,
        };
        if (row is null) return;
        lock (_lock)
        {
            // The gzip blob made from a layer takes over the layer's line, so a push shows one line per layer throughout.
            if (value is { Kind: TransferKind.Compressed, From: { } from } && _order.IndexOf(from) is >= 0 and var at)
            {
                _order[at] = value.Digest;
                _rows.Remove(from);
            }
            else if (!_rows.ContainsKey(value.Digest)) _order.Add(value.Digest);
            _rows[value.Digest] = row;
            long now = Stopwatch.GetTimestamp();
            bool moving = value.Kind is TransferKind.Progress || value is { Kind: TransferKind.Compressing, Done: > 0 };
            if (moving && _drawn == _order.Count && now - _drawnAt < RedrawTicks) return;
            Redraw(now);
        }
    }

    /// <summary>
    /// Ends the frame: the lines stay as drawn, and the next frame starts below whatever is written after them. For a
    /// caller that writes other lines between frames (a build's steps), which cursor-up would otherwise draw over.
    /// </summary>
    public void Seal()
    {
        lock (_lock) _drawn = 0;
    }

    private void Redraw(long now)
    {
        int columns = width();
        var frame = new StringBuilder();
        // Up over the last frame only when each of its lines still takes one row at this width (see remarks).
        if (_drawn > 0 && _drawnLongest <= TransferLine.Usable(columns)) frame.Append($"\x1b[{_drawn}A");
        int longest = 0;
        foreach (var digest in _order)
        {
            var line = Line(digest.Short, _rows[digest], columns);
            longest = Math.Max(longest, line.Length);
            frame.Append("\x1b[2K").Append(line).Append('\n');
        }
        output.Write(frame.ToString());
        output.Flush();
        _drawn = _order.Count;
        _drawnLongest = longest;
        _drawnAt = now;
    }

    private static string Line(string id, Row row, int columns) => row.Verb is { } verb
        ? TransferLine.Moving(id, verb, row.Size, row.Done, columns)
        : TransferLine.Final(id, row.Final!, columns);
}
