using System.Text.RegularExpressions;
using Tabula.Build;
using Tabula.Cli.Build;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Tests.Cli.Build;

/// <summary>The frames of <c>--progress=tty</c>, drawn into a writer with a fixed width and a clock the test moves.</summary>
public class TtyBuildViewTests
{
    private static readonly Digest Layer = Digest.Compute("layer"u8);

    /// <summary>A clock that moves only when told (no timer fires: the view is built without one).</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddTicks(_ticks);

        public void Advance(double seconds) => _ticks += TimeSpan.FromSeconds(seconds).Ticks;
    }

    private static (TtyBuildView View, StringWriter Output, ManualClock Clock) Create(int width = 60, int height = 0)
    {
        var output = new StringWriter();
        var clock = new ManualClock();
        return (new TtyBuildView(output, new TerminalSize(width, height), clock, refresh: null), output, clock);
    }

    /// <summary>The lines of the last frame drawn: what follows the last cursor-up, without the erase codes.</summary>
    private static string[] LastFrame(string written)
    {
        var ups = Regex.Matches(written, @"\x1b\[\d+A");
        var frame = ups.Count > 0 ? written[(ups[^1].Index + ups[^1].Length)..] : written;
        return frame.Replace("\r", "").Replace("\x1b[2K", "").Replace("\x1b[J", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static BuildResult Result() => new(new Descriptor { MediaType = MediaTypes.DockerManifest, Digest = Digest.Compute("m"u8), Size = 10 }, Digest.Compute("c"u8), []);

    [Fact]
    public void RunningStepShowsItsTimeAndLastOutputLines_FinishedStepsCollapse()
    {
        var (view, output, clock) = Create();
        view.Report(new StepStarted(0, 1, 3, "FROM scratch"));
        view.Report(new StepFinished(0, 1, null, 0, TimeSpan.Zero));
        view.Report(new StepStarted(0, 2, 3, "COPY a /a"));
        view.Report(new StepCacheHit(0, 2));
        view.Report(new StepFinished(0, 2, Layer, 10, TimeSpan.Zero));
        view.Report(new StepStarted(0, 3, 3, "RUN make"));
        for (int i = 1; i <= 8; i++) view.Report(new StepOutput(0, 3, $"line {i}"));
        clock.Advance(2.3);
        view.Report(new StepOutput(0, 3, "line 9"));

        var frame = LastFrame(output.ToString());
        Assert.Equal("[+] Building 2.3s (2/3)", frame[0]);
        Assert.Matches(@"^ => \[1/3\] FROM scratch +0\.0s$", frame[1]);
        Assert.Matches(@"^ => CACHED \[2/3\] COPY a /a +0\.0s$", frame[2]);
        Assert.Matches(@"^ => \[3/3\] RUN make +2\.3s$", frame[3]);
        // The last six lines of output, under the running step.
        Assert.Equal(Enumerable.Range(4, 6).Select(i => $" => => # line {i}"), frame[4..]);
        Assert.All(frame[1..4], line => Assert.Equal(59, line.Length));

        clock.Advance(1);
        view.Report(new StepFinished(0, 3, Layer, 10, TimeSpan.FromSeconds(3.25)));
        frame = LastFrame(output.ToString());
        Assert.Equal(4, frame.Length); // the output lines are gone with the step's end
        Assert.Matches(@"^ => \[3/3\] RUN make +3\.3s$", frame[3]);
        Assert.Equal("[+] Building 3.3s (3/3)", frame[0]);
    }

    [Fact]
    public void A_FROM_that_pulls_shows_its_blobs_moving_under_it_and_then_how_many_are_done()
    {
        var (view, output, _) = Create(width: 80);
        Digest first = Digest.Compute("first"u8), second = Digest.Compute("second"u8);
        view.Report(new StepStarted(0, 1, 2, "FROM registry.example/base:1"));
        view.Report(new BaseImageTransfer(0, "registry.example/base:1", new TransferEvent(TransferKind.Started, first, 2_000_000)));
        view.Report(new BaseImageTransfer(0, "registry.example/base:1", new TransferEvent(TransferKind.Progress, first, 2_000_000, 500_000)));
        view.Report(new BaseImageTransfer(0, "registry.example/base:1", new TransferEvent(TransferKind.Exists, second, 300)));

        var frame = LastFrame(output.ToString());
        Assert.Matches(@"^ => \[1/2\] FROM registry\.example/base:1 +0\.0s$", frame[1]);
        Assert.Equal([$" => => # {first.Short}  500kB / 2MB", " => => # 1 of 2 blobs done"], frame[2..]);

        view.Report(new BaseImageTransfer(0, "registry.example/base:1", new TransferEvent(TransferKind.Downloaded, first, 2_000_000)));
        frame = LastFrame(output.ToString());
        Assert.Equal([" => => # 2 of 2 blobs done"], frame[2..]);
        view.Report(new StepFinished(0, 1, null, 0, TimeSpan.Zero));
        Assert.Equal(2, LastFrame(output.ToString()).Length); // collapsed with the step
    }

    [Fact]
    public void EachFrameMovesTheCursorBackOverThePreviousOneAndErasesWhatAShorterFrameLeaves()
    {
        var (view, output, _) = Create();
        view.Report(new StepStarted(0, 1, 2, "FROM scratch"));
        var first = output.ToString();
        Assert.DoesNotContain("\x1b[", first.Replace("\x1b[2K", ""));
        Assert.Equal(2, first.Count(c => c == '\n'));

        view.Report(new StepStarted(0, 2, 2, "RUN x"));
        view.Report(new StepOutput(0, 2, "out"));
        var written = output.ToString()[first.Length..];
        Assert.StartsWith("\x1b[2A", written);

        output.GetStringBuilder().Clear();
        view.Report(new StepFinished(0, 2, null, 0, TimeSpan.Zero)); // 4 lines drawn, now 3
        written = output.ToString();
        Assert.StartsWith("\x1b[4A", written);
        Assert.EndsWith("\n\x1b[J", written);
    }

    [Fact]
    public void LinesAreCutToTheWidthAndControlCharactersCannotMoveTheCursor()
    {
        var (view, output, _) = Create(width: 30);
        view.Report(new StepStarted(0, 1, 2, "FROM a-very-long-image-name-that-does-not-fit:latest"));
        view.Report(new StepStarted(0, 2, 2, "RUN x"));
        view.Report(new StepOutput(0, 2, "\x1b[31mred\x1b[0m\ttab and a long tail that goes on and on"));

        var frame = LastFrame(output.ToString());
        Assert.All(frame, line => Assert.True(line.Length <= 29, $"'{line}' is {line.Length} wide"));
        Assert.Matches(@"^ => \[1/2\] FROM a-very-lo 0\.0s$", frame[1]);
        Assert.Equal(" => => #  [31mred [0m tab and", frame[3]);
        Assert.DoesNotContain('\x1b', string.Concat(frame));
    }

    [Fact]
    public void StagesAreNamedAndTheFinalFrameStaysWithTheImage()
    {
        var (view, output, clock) = Create(width: 80);
        view.Report(new StagesPlanned([(0, "build"), (1, "stage-1")]));
        view.Report(new StepStarted(0, 1, 2, "FROM scratch AS build"));
        view.Report(new StepStarted(1, 1, 2, "FROM scratch"));
        view.Report(new StepStarted(0, 2, 2, "COPY a /a"));
        clock.Advance(0.5);
        view.Report(new StepFinished(0, 2, Layer, 1, TimeSpan.Zero));
        view.Report(new StepStarted(1, 2, 2, "COPY --from=build /a /b"));
        view.Report(new StepFinished(1, 2, Layer, 1, TimeSpan.Zero));
        view.Report(new BuildWarning("One or more build-args [X] were not consumed"));
        view.Completed(Result(), [ImageReference.Parse("app:1")]);

        var frame = LastFrame(output.ToString());
        Assert.Equal("[+] Building 0.5s (4/4) FINISHED", frame[0]);
        Assert.Contains(frame, l => l.StartsWith(" => [build 1/2] FROM scratch AS build", StringComparison.Ordinal));
        Assert.Contains(frame, l => l.StartsWith(" => [stage-1 2/2] COPY --from=build /a /b", StringComparison.Ordinal));
        Assert.Contains(" => exporting to image", frame);
        Assert.Contains(frame, l => $" => => writing image {Digest.Compute("c"u8)}".StartsWith(l, StringComparison.Ordinal) && l.Length == 79); // cut to the width
        Assert.Contains(" => => naming to docker.io/library/app:1", frame);
        Assert.Equal("WARNING: One or more build-args [X] were not consumed", frame[^1]);

        // Nothing is drawn after the end: the last frame stays on screen.
        int length = output.ToString().Length;
        view.Report(new StepOutput(0, 2, "late"));
        view.Dispose();
        Assert.Equal(length, output.ToString().Length);
    }

    /// <summary>
    /// In a multi-platform build each step is labelled with its platform, as BuildKit labels it
    /// (<c>[linux/arm64 build 2/2]</c>); a one-stage Dockerfile, which plans no stages, gets the platform alone.
    /// </summary>
    [Fact]
    public void PlatformBuildsLabelTheirStepsWithThePlatformAsBuildKit()
    {
        var (view, output, _) = Create(width: 80);
        var warnings = new HashSet<BuildEvent>();
        var arm64 = new PlatformEvents(view, Platform.Parse("linux/arm64"), 1, warnings);
        var amd64 = new PlatformEvents(view, Platform.Parse("linux/amd64"), 0, warnings);
        arm64.Report(new StagesPlanned([(0, "build"), (1, "stage-1")]));
        arm64.Report(new StepStarted(0, 2, 2, "RUN make"));
        amd64.Report(new StepStarted(0, 1, 2, "FROM scratch"));

        var frame = LastFrame(output.ToString());
        Assert.Contains(frame, l => l.StartsWith(" => [linux/arm64 build 2/2] RUN make", StringComparison.Ordinal));
        Assert.Contains(frame, l => l.StartsWith(" => [linux/amd64 1/2] FROM scratch", StringComparison.Ordinal));
    }

    [Fact]
    public void AFailedBuildMarksTheRunningStepAndKeepsItsOutput()
    {
        var (view, output, _) = Create();
        view.Report(new StepStarted(0, 1, 2, "FROM scratch"));
        view.Report(new StepFinished(0, 1, null, 0, TimeSpan.Zero));
        view.Report(new StepStarted(0, 2, 2, "RUN false"));
        view.Report(new StepOutput(0, 2, "it went wrong"));
        view.Failed();

        var frame = LastFrame(output.ToString());
        Assert.Equal("[+] Building 0.0s (1/2)", frame[0]);
        Assert.StartsWith(" => ERROR [2/2] RUN false", frame[2]);
        Assert.Equal(" => => # it went wrong", frame[3]);
    }

    [Fact]
    public void ALiveFrameTallerThanTheTerminalDropsItsOldestLines()
    {
        var (view, output, _) = Create(width: 60, height: 6);
        for (int step = 1; step <= 8; step++) view.Report(new StepStarted(0, step, 8, $"LABEL n={step}"));
        var frame = LastFrame(output.ToString());
        Assert.Equal(5, frame.Length);
        Assert.StartsWith("[+] Building", frame[0]);
        Assert.StartsWith(" => [8/8] LABEL n=8", frame[^1]);

        view.Completed(Result(), []);
        Assert.Equal(1 + 8 + 2, LastFrame(output.ToString()).Length); // the last frame is whole
    }
}
