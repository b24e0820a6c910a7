using System.Text.RegularExpressions;
using Tabula.Cli.Formatting;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Tests.Cli;

public class TransferDisplayTests
{
    private static readonly Digest A = Digest.Compute("a"u8);
    private static readonly Digest B = Digest.Compute("b"u8);
    private static readonly Digest C = Digest.Compute("c"u8);

    // These are docker's lines, at a width that leaves room for its 50-column bar; TransferFrameTests fit other widths.

    /// <summary>The lines of the last frame drawn: what follows the last cursor-up, without the erase-line codes.</summary>
    private static string[] LastFrame(string written)
    {
        var ups = Regex.Matches(written, @"\x1b\[\d+A");
        var frame = ups.Count > 0 ? written[(ups[^1].Index + ups[^1].Length)..] : written;
        return frame.Replace("\x1b[2K", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string Render(bool terminal, bool pushing, params TransferEvent[] events)
    {
        var output = new StringWriter();
        var display = TransferDisplay.Create(output, quiet: false, terminal, pushing, width: () => 200)!;
        foreach (var e in events) display.Report(e);
        return output.ToString();
    }

    [Fact]
    public void OnATerminalEachLayerEndsOnItsOwnLineWithItsFinalStatus()
    {
        var written = Render(terminal: true, pushing: false,
            new(TransferKind.Started, A, 45_600_000),
            new(TransferKind.Started, B, 1_000),
            new(TransferKind.Progress, A, 45_600_000, 12_300_000),
            new(TransferKind.Exists, C, 500),
            new(TransferKind.Progress, B, 1_000, 1_000),
            new(TransferKind.Downloaded, B, 1_000),
            new(TransferKind.Progress, A, 45_600_000, 45_600_000),
            new(TransferKind.Downloaded, A, 45_600_000),
            new(TransferKind.ManifestWritten, Digest.Compute("m"u8), 300));
        Assert.Equal([$"{A.Short}: Pull complete", $"{B.Short}: Pull complete", $"{C.Short}: Already exists"], LastFrame(written));
        Assert.Contains("\x1b[3A", written);
    }

    [Fact]
    public void OnATerminalALayerStillMovingShowsItsBar()
    {
        var written = Render(terminal: true, pushing: false,
            new(TransferKind.Started, A, 45_600_000),
            new(TransferKind.Progress, A, 45_600_000, 12_300_000),
            new(TransferKind.Started, B, 1_000));
        var frame = LastFrame(written);
        Assert.Equal(2, frame.Length);
        Assert.Equal($"{A.Short}: Downloading [=============>                                    ]  12.3MB/45.6MB", frame[0]);
        Assert.Equal($"{B.Short}: Downloading [>                                                 ]  0B/1kB", frame[1]);
        // The first frame had one line; the second goes up over it.
        Assert.StartsWith("\x1b[2K", written);
        Assert.Contains("\x1b[1A", written);
    }

    [Fact]
    public void OnATerminalAPushSaysPushing()
    {
        var written = Render(terminal: true, pushing: true,
            new(TransferKind.Started, A, 2_000_000),
            new(TransferKind.Progress, A, 2_000_000, 1_000_000),
            new(TransferKind.Exists, B, 10),
            new(TransferKind.Started, C, 10));
        Assert.Equal(
            [$"{A.Short}: Pushing [=========================>                        ]  1MB/2MB", $"{B.Short}: Layer already exists", $"{C.Short}: Pushing [>                                                 ]  0B/10B"],
            LastFrame(written));
        written = Render(terminal: true, pushing: true, new(TransferKind.Started, A, 10), new(TransferKind.Uploaded, A, 10));
        Assert.Equal([$"{A.Short}: Pushed"], LastFrame(written));
    }

    [Fact]
    public void WithoutATerminalOnlyFinishedBlobsPrintPlainLines()
    {
        var written = Render(terminal: false, pushing: false,
            new(TransferKind.Started, A, 100),
            new(TransferKind.Progress, A, 100, 50),
            new(TransferKind.Exists, B, 10),
            new(TransferKind.Downloaded, A, 100),
            new(TransferKind.ManifestWritten, C, 10));
        Assert.Equal($"{B.Short}: Already exists{Environment.NewLine}{A.Short}: Pull complete{Environment.NewLine}", written);
        Assert.DoesNotContain("\x1b", written);
    }

    [Fact]
    public void WithoutATerminalACompressedLayerSaysWhichLayerItCameFrom()
    {
        var written = Render(terminal: false, pushing: true,
            new(TransferKind.Compressing, A, 3_000_000),
            new(TransferKind.Compressing, A, 3_000_000, 3_000_000),
            new(TransferKind.Compressed, B, 1_200_000, From: A),
            new(TransferKind.Started, B, 1_200_000),
            new(TransferKind.Uploaded, B, 1_200_000));
        Assert.Equal($"{B.Short}: Compressed from layer {A.Short} (1.2MB){Environment.NewLine}{B.Short}: Pushed{Environment.NewLine}", written);
    }

    [Fact]
    public void QuietShowsNothing() => Assert.Null(TransferDisplay.Create(new StringWriter(), quiet: true, terminal: true, pushing: false));
}
