using System.Text.RegularExpressions;
using Tabula.Cli.Formatting;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Tests.Cli;

/// <summary>Terminal frames of transfer progress at the widths users have: every row fits, and redraws never stack.</summary>
public class TransferFrameTests
{
    private static readonly Digest A = Digest.Compute("a"u8);
    private static readonly Digest B = Digest.Compute("b"u8);
    private static readonly Digest C = Digest.Compute("c"u8);

    /// <summary>A terminal as the display sees it: each Write is one frame (the display writes a frame whole).</summary>
    private sealed class FrameWriter : StringWriter
    {
        public List<string> Frames { get; } = [];

        public override void Write(string? value)
        {
            Frames.Add(value ?? "");
            base.Write(value);
        }
    }

    private static (FrameWriter Output, IProgress<TransferEvent> Display) Terminal(Func<int> width, bool pushing = false, string? mountedFrom = null)
    {
        var output = new FrameWriter();
        return (output, TransferDisplay.Create(output, quiet: false, terminal: true, pushing, mountedFrom, width)!);
    }

    /// <summary>A frame's rows as the terminal shows them: escape codes removed.</summary>
    private static string[] Rows(string frame) => Regex.Replace(frame, @"\x1b\[\d*[A-Za-z]", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static int? CursorUp(string frame) => Regex.Match(frame, @"^\x1b\[(\d+)A") is { Success: true } m ? int.Parse(m.Groups[1].Value) : null;

    private static readonly TransferEvent[] Push =
    [
        new(TransferKind.Started, A, 45_600_000),
        new(TransferKind.Started, B, 999_000_000_000),
        new(TransferKind.Progress, A, 45_600_000, 12_300_000),
        new(TransferKind.Exists, C, 500),
        new(TransferKind.Uploaded, A, 45_600_000),
    ];

    [Theory]
    [InlineData(40)]
    [InlineData(80)]
    [InlineData(200)]
    public void EveryRowOfEveryFrameFitsTheWidthAndEachFrameGoesBackOverTheLast(int width)
    {
        var (output, display) = Terminal(() => width, pushing: true, mountedFrom: "a/very/long/repository/name/that/no/narrow/terminal/can/show/whole");
        foreach (var e in Push) display.Report(e);
        display.Report(new TransferEvent(TransferKind.Mounted, B, 10));

        // Byte progress may or may not redraw (at most every 100 ms); starting and finishing layers always do.
        Assert.InRange(output.Frames.Count, Push.Length, Push.Length + 1);
        int previousRows = 0;
        foreach (var frame in output.Frames)
        {
            // At most width-1 columns: a row filling the last column wraps on some terminals and cursor-up would miss it.
            Assert.All(Rows(frame), row => Assert.InRange(row.Length, 1, width - 1));
            Assert.Equal(previousRows == 0 ? null : previousRows, CursorUp(frame));
            Assert.DoesNotContain('\r', frame);
            previousRows = Rows(frame).Length;
        }
        var last = Rows(output.Frames[^1]);
        Assert.Equal(3, last.Length);
        Assert.Equal($"{A.Short}: Pushed", last[0]);
        Assert.StartsWith($"{B.Short}: Mounted from a/very/", last[1]);
        Assert.Equal(width >= 200, !last[1].EndsWith("...", StringComparison.Ordinal));
    }

    [Fact]
    public void TheBarShrinksThenGoesAndTheVerbGoesLast()
    {
        Assert.Equal($"{A.Short}: Downloading [=============>                                    ]  12.3MB/45.6MB",
            TransferLine.Moving(A.Short, "Downloading", 45_600_000, 12_300_000, 200));
        var eighty = TransferLine.Moving(A.Short, "Downloading", 45_600_000, 12_300_000, 80);
        Assert.Matches(@"^[0-9a-f]{12}: Downloading \[=+> +\]  12\.3MB/45\.6MB$", eighty);
        Assert.Equal(79, eighty.Length);
        Assert.Equal($"{A.Short}: Downloading 12.3MB/45.6MB", TransferLine.Moving(A.Short, "Downloading", 45_600_000, 12_300_000, 40));
        Assert.Equal($"{A.Short}: 12.3MB/45.6MB", TransferLine.Moving(A.Short, "Downloading", 45_600_000, 12_300_000, 30));
        Assert.Equal($"{A.Short}: 12...", TransferLine.Moving(A.Short, "Downloading", 45_600_000, 12_300_000, 20));
        Assert.Equal(A.Short[..1], TransferLine.Moving(A.Short, "Downloading", 45_600_000, 12_300_000, 2));
        // The bar keeps its width while the byte count grows.
        Assert.Equal(eighty.IndexOf(']'), TransferLine.Moving(A.Short, "Downloading", 45_600_000, 0, 80).IndexOf(']'));
    }

    [Fact]
    public void AWindowMadeNarrowerStartsAFreshFrameBelowAndOneMadeWiderRedrawsInPlace()
    {
        int width = 200;
        var (output, display) = Terminal(() => width);
        display.Report(new TransferEvent(TransferKind.Started, A, 45_600_000));
        display.Report(new TransferEvent(TransferKind.Started, B, 1_000));

        // Narrower than the 200-column rows drawn: the terminal may have rewrapped them, so no cursor-up into the unknown.
        width = 40;
        display.Report(new TransferEvent(TransferKind.Started, C, 1_000));
        Assert.Null(CursorUp(output.Frames[^1]));
        Assert.Equal(3, Rows(output.Frames[^1]).Length);
        Assert.All(Rows(output.Frames[^1]), row => Assert.True(row.Length < 40, row));

        // Still 40: the 40-column rows are where they were drawn.
        display.Report(new TransferEvent(TransferKind.Downloaded, C, 1_000));
        Assert.Equal(3, CursorUp(output.Frames[^1]));

        // Wider: nothing moved on screen, so the frame is redrawn in place with the room taken back for the bar.
        width = 120;
        display.Report(new TransferEvent(TransferKind.Downloaded, B, 1_000));
        Assert.Equal(3, CursorUp(output.Frames[^1]));
        Assert.Contains("Downloading [>", Rows(output.Frames[^1])[0]);
        Assert.All(Rows(output.Frames[^1]), row => Assert.True(row.Length < 120, row));
    }

    [Fact]
    public void ALayerBeingCompressedKeepsItsLineWhenItsBlobUploads()
    {
        var (output, display) = Terminal(() => 80, pushing: true);
        display.Report(new TransferEvent(TransferKind.Compressing, A, 3_000_000));
        display.Report(new TransferEvent(TransferKind.Compressing, A, 3_000_000, 1_500_000));
        display.Report(new TransferEvent(TransferKind.Exists, C, 10));
        Assert.Matches($@"^{A.Short}: Compressing \[=+> +\]  1\.5MB/3MB$", Rows(output.Frames[^1])[0]);

        display.Report(new TransferEvent(TransferKind.Compressed, B, 1_200_000, From: A));
        display.Report(new TransferEvent(TransferKind.Started, B, 1_200_000));
        Assert.Equal(2, Rows(output.Frames[^1]).Length);
        Assert.StartsWith($"{B.Short}: Pushing [>", Rows(output.Frames[^1])[0]);
        display.Report(new TransferEvent(TransferKind.Uploaded, B, 1_200_000));
        Assert.Equal([$"{B.Short}: Pushed", $"{C.Short}: Layer already exists"], Rows(output.Frames[^1]));
    }

    [Fact]
    public void ASealedFrameStaysAndTheNextStartsBelowWhatWasWrittenAfterIt()
    {
        var output = new FrameWriter();
        var pulls = new BaseImagePullDisplay(output, terminal: true, () => 80);
        pulls.Report(new Tabula.Build.BaseImageTransfer(0, "registry.example/base:1", new TransferEvent(TransferKind.Started, A, 100)));
        pulls.Interrupt();
        output.Write("Step 2/2 : CMD x\n");
        pulls.Report(new Tabula.Build.BaseImageTransfer(0, "registry.example/base:1", new TransferEvent(TransferKind.Downloaded, A, 100)));
        Assert.Null(CursorUp(output.Frames[^1]));
        Assert.Equal([$"{A.Short}: Pull complete"], Rows(output.Frames[^1]));
        Assert.StartsWith("Pulling registry.example/base:1", output.ToString());
    }
}
