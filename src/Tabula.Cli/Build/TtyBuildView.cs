using System.Globalization;
using System.Text;
using Tabula.Build;
using Tabula.Build.SharedCache;
using Tabula.Oci;

namespace Tabula.Cli.Build;

/// <summary>
/// <c>--progress=tty</c>: the build as BuildKit draws it on a terminal. A header with the time so far and steps
/// done of steps known (<c>[+] Building 3.2s (5/7)</c>), one line per step with its time on the right, a running
/// step's last output lines under it; a finished step collapses to its one line. The whole view is redrawn in
/// place (cursor up, erase line) on each change and every <see cref="RefreshInterval"/> so running times tick;
/// every line is cut to the terminal's width so none wraps (a wrapped line would break the cursor arithmetic).
/// The last frame stays on screen.
/// </summary>
internal sealed class TtyBuildView : IBuildDisplay
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(150);

    /// <summary>How many output lines of a running step are shown (BuildKit shows a few, not all).</summary>
    public const int LogLines = 6;

    private readonly TextWriter _output;
    private readonly TerminalSize _terminal;
    private readonly TimeProvider _time;
    private readonly ITimer? _timer;
    private readonly Lock _lock = new();
    private readonly long _started;
    private readonly List<StepView> _steps = [];
    private readonly Dictionary<int, string> _labels = [];
    private readonly Dictionary<int, int> _stepCounts = [];
    private readonly List<string> _warnings = [];
    private readonly List<string> _exported = [];
    private int _drawn;
    private bool _finished;
    private bool _succeeded;

    /// <param name="refresh">How often running times are redrawn; null: only on events (tests drive the frames).</param>
    public TtyBuildView(TextWriter output, TerminalSize terminal, TimeProvider time, TimeSpan? refresh)
    {
        _output = output;
        _terminal = terminal;
        _time = time;
        _started = time.GetTimestamp();
        if (refresh is { } interval) _timer = time.CreateTimer(_ => Redraw(), null, interval, interval);
    }

    public void Report(BuildEvent value)
    {
        lock (_lock)
        {
            if (_finished) return;
            long now = _time.GetTimestamp();
            switch (value)
            {
                case StagesPlanned p:
                    foreach (var (stage, label) in p.Stages) _labels[stage] = label;
                    break;
                case StepStarted s:
                    // A step of the stage still running has ended: each stage runs its steps one after another.
                    foreach (var earlier in _steps.Where(v => v.Stage == s.Stage && v.Ended is null)) earlier.Ended = now;
                    _stepCounts[s.Stage] = s.StepCount;
                    _steps.Add(new StepView(s.Stage, s.Step, s.Text.ReplaceLineEndings(" "), now));
                    break;
                case StepFinished f when Find(f.Stage, f.Step) is { } step:
                    step.Ended ??= now;
                    break;
                case StepCacheHit c when Find(c.Stage, c.Step) is { } step:
                    step.Cached = true;
                    break;
                case StepOutput o when Find(o.Stage, o.Step) is { } step:
                    step.Logs.Enqueue(o.Line);
                    if (step.Logs.Count > LogLines) step.Logs.Dequeue();
                    // A chatty command prints faster than a terminal redraws: with a timer, its next tick shows the lines.
                    if (_timer is not null) return;
                    break;
                case BaseImageTransfer t when _steps.LastOrDefault(v => v.Stage == t.Stage && v.Ended is null) is { } step:
                    // As BuildKit shows a FROM's blobs under it: one line per blob still moving, then how many are done.
                    step.Pull.Report(t.Transfer);
                    step.Logs.Clear();
                    foreach (var line in step.Pull.Lines(LogLines)) step.Logs.Enqueue(line);
                    if (_timer is not null) return;
                    break;
                case BuildWarning w:
                    _warnings.Add(w.Message);
                    break;
                case CheckWarningReported c:
                    _warnings.Add(c.Warning.Short);
                    break;
                case CacheWarning w:
                    _warnings.Add(w.Message);
                    break;
                case CacheProgress c:
                    _exported.Add(c.Text);
                    break;
                case CacheTransfer t when CacheTransferLine.Of(t) is { } line:
                    _exported.Add(line);
                    break;
            }
            DrawLocked(Frame(now));
        }
    }

    public void Completed(BuildResult result, IReadOnlyList<ImageReference> names)
    {
        lock (_lock)
        {
            _exported.Add($"writing image {result.ImageId}");
            foreach (var name in names) _exported.Add($"naming to {name}");
            Finish(succeeded: true);
        }
    }

    public void Failed()
    {
        lock (_lock) Finish(succeeded: false);
    }

    public void Dispose()
    {
        _timer?.Dispose();
        lock (_lock)
            if (!_finished) Finish(succeeded: false);
    }

    /// <summary>The lines the view shows now (the final frame once the build has ended).</summary>
    internal IReadOnlyList<string> Frame()
    {
        lock (_lock) return Frame(_time.GetTimestamp());
    }

    private void Redraw()
    {
        lock (_lock)
            if (!_finished) DrawLocked(Frame(_time.GetTimestamp()));
    }

    private void Finish(bool succeeded)
    {
        if (_finished) return;
        long now = _time.GetTimestamp();
        foreach (var step in _steps.Where(s => s.Ended is null))
        {
            step.Ended = now;
            step.Failed = !succeeded;
        }
        _succeeded = succeeded;
        _finished = true;
        DrawLocked(Frame(now));
    }

    private StepView? Find(int stage, int step) => _steps.LastOrDefault(s => s.Stage == stage && s.Step == step);

    private List<string> Frame(long now)
    {
        int done = _steps.Count(s => s.Ended is not null && !s.Failed);
        int known = _stepCounts.Values.Sum();
        var lines = new List<string>
        {
            Cut($"[+] Building {Seconds(_time.GetElapsedTime(_started, now))} ({done}/{known}){(_finished && _succeeded ? " FINISHED" : "")}"),
        };
        var steps = new List<string>();
        foreach (var step in _steps)
        {
            var prefix = step.Failed ? "ERROR " : step.Cached ? "CACHED " : "";
            steps.Add(Row($" => {prefix}[{Name(step)}] {step.Text}", Seconds(_time.GetElapsedTime(step.Started, step.Ended ?? now))));
            // A finished step collapses to its line; a failed one keeps its last output, which says why.
            if (step.Ended is null || step.Failed)
                steps.AddRange(step.Logs.Select(l => Cut(" => => # " + l)));
        }
        if (_exported.Count > 0)
        {
            steps.Add(Cut(" => exporting to image"));
            steps.AddRange(_exported.Select(e => Cut(" => => " + e)));
        }
        // While running, a view taller than the terminal drops its oldest lines (the cursor cannot go above the
        // screen's top); the last frame is written whole and scrolls like any output.
        int room = _terminal.Height > 2 ? _terminal.Height - 2 - _warnings.Count : int.MaxValue;
        if (!_finished && steps.Count > room) steps = steps.GetRange(steps.Count - Math.Max(1, room), Math.Max(1, room));
        lines.AddRange(steps);
        lines.AddRange(_warnings.Select(w => Cut("WARNING: " + w)));
        return lines;
    }

    private string Name(StepView step)
    {
        var count = _stepCounts.GetValueOrDefault(step.Stage, step.Step).ToString(CultureInfo.InvariantCulture);
        var position = $"{step.Step.ToString(CultureInfo.InvariantCulture)}/{count}";
        return _labels.TryGetValue(step.Stage, out var label) ? $"{label} {position}" : position;
    }

    private void DrawLocked(List<string> lines)
    {
        var frame = new StringBuilder();
        if (_drawn > 0) frame.Append("\x1b[").Append(_drawn.ToString(CultureInfo.InvariantCulture)).Append('A');
        foreach (var line in lines) frame.Append("\r\x1b[2K").Append(line).Append('\n');
        // A shorter frame than the last one (a step collapsed) leaves old lines below: erase them.
        if (lines.Count < _drawn) frame.Append("\x1b[J");
        _drawn = lines.Count;
        _output.Write(frame.ToString());
        _output.Flush();
    }

    /// <summary>Text on the left, the time flush right; the text is cut so the whole stays within the width.</summary>
    private string Row(string text, string time)
    {
        int width = Usable;
        int room = width - time.Length - 1;
        if (room < 1) return Cut(text);
        text = Clean(text);
        if (text.Length > room) text = text[..room];
        return text.PadRight(room) + " " + time;
    }

    private string Cut(string text)
    {
        text = Clean(text);
        return text.Length > Usable ? text[..Usable] : text;
    }

    /// <summary>One column less than the terminal: writing the last column makes some terminals wrap.</summary>
    private int Usable => Math.Max(20, _terminal.Width - 1);

    /// <summary>A command's output may hold tabs, carriage returns or its own escape sequences: they would move the cursor.</summary>
    private static string Clean(string text) => string.Create(text.Length, text, (span, source) =>
    {
        for (int i = 0; i < source.Length; i++) span[i] = char.IsControl(source[i]) ? ' ' : source[i];
    });

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";

    private sealed class StepView(int stage, int step, string text, long started)
    {
        public int Stage { get; } = stage;
        public int Step { get; } = step;
        public string Text { get; } = text;
        public long Started { get; } = started;
        public long? Ended { get; set; }
        public bool Cached { get; set; }
        public bool Failed { get; set; }
        public Queue<string> Logs { get; } = new();
        public BlobTally Pull { get; } = new();
    }

    /// <summary>The blobs of a base-image pull: bytes so far of each, and which are done.</summary>
    internal sealed class BlobTally
    {
        private readonly Dictionary<Digest, (long Done, long Size, bool Complete)> _blobs = [];

        public void Report(Tabula.Transports.TransferEvent value)
        {
            var known = _blobs.GetValueOrDefault(value.Digest);
            _blobs[value.Digest] = value.Kind switch
            {
                Tabula.Transports.TransferKind.Progress => (value.Done, value.Size, false),
                Tabula.Transports.TransferKind.Started => (0, value.Size, false),
                _ => (value.Size, value.Size, true),
            };
            if (known.Complete) _blobs[value.Digest] = known;
        }

        /// <summary>At most <paramref name="max"/> lines: the blobs still moving, then a count of those done.</summary>
        public IEnumerable<string> Lines(int max)
        {
            var moving = _blobs.Where(b => !b.Value.Complete).Take(max - 1)
                .Select(b => $"{b.Key.Short}  {Formatting.HumanUnits.Size(b.Value.Done)} / {Formatting.HumanUnits.Size(b.Value.Size)}");
            int complete = _blobs.Count(b => b.Value.Complete);
            return complete == 0 ? moving : moving.Append($"{complete} of {_blobs.Count} blobs done");
        }
    }
}
