using Tabula.Build;
using Tabula.Oci;
using Tabula.Tests.Build;

namespace Tabula.Tests.Integration;

/// <summary>
/// The platforms of <c>--platform linux/amd64,linux/arm64</c> built side by side (arm64's RUN through real QEMU): the
/// build-platform stage both share still runs once, and the index is the one building the platforms in turn gives.
/// </summary>
public class MultiPlatformConcurrencyTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly Platform[] Both = [Platform.Parse("linux/amd64"), Platform.Parse("linux/arm64")];

    /// <summary>A build-platform stage whose RUN takes a while and says so once per time it runs, used by a stage per platform.</summary>
    private const string SharedStage = """
        FROM --platform=$BUILDPLATFORM scratch AS tools
        ARG BUILDARCH
        COPY busybox-$BUILDARCH /bin/busybox
        RUN ["/bin/busybox", "sh", "-c", "/bin/busybox sleep 3; echo tools-ran; /bin/busybox uname -m > /built-on"]

        FROM scratch
        ARG TARGETARCH
        COPY busybox-$TARGETARCH /bin/busybox
        COPY --from=tools /built-on /built-on
        RUN ["/bin/busybox", "sh", "-c", "/bin/busybox uname -m > /arch"]
        """;

    [Fact]
    public async Task Platforms_build_side_by_side_and_the_stage_they_share_runs_once()
    {
        using var h = new BuildHarness();
        MultiPlatformBuildTests.WriteContext(h.ContextDirectory, SharedStage);
        await h.BuildAsync(h.Options(SharedStage) with { DockerfileText = null, Platform = null, Platforms = Both });

        var events = h.Events.ToList();
        var toolRuns = events.OfType<StepStarted>().Where(s => s.Text.Contains("tools-ran", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, toolRuns.Count); // one per platform
        Assert.Single(events.OfType<StepOutput>(), o => o.Line == "tools-ran");
        var hit = Assert.Single(toolRuns, r => events.OfType<StepCacheHit>().Any(c => c.Stage == r.Stage && c.Step == r.Step));
        var ran = Assert.Single(toolRuns, r => r != hit);
        // Side by side: the platform that took the RUN from the cache had reached it while the other was still running it.
        int ranFinished = events.FindIndex(e => e is StepFinished f && f.Stage == ran.Stage && f.Step == ran.Step);
        Assert.True(events.IndexOf(hit) < ranFinished, "the second platform reached the shared RUN only after the first had finished it: the platforms were built in turn");
        // Each platform's events carry its own stage numbers, labelled with its platform.
        var labels = events.OfType<StagesPlanned>().SelectMany(p => p.Stages).ToDictionary(s => s.Stage, s => s.Label);
        Assert.StartsWith("linux/", labels[ran.Stage]);
        Assert.NotEqual(labels[ran.Stage].Split(' ')[0], labels[hit.Stage].Split(' ')[0]);
    }

    [Fact]
    public async Task Side_by_side_and_in_turn_give_the_same_index_digest()
    {
        using var concurrent = new BuildHarness();
        using var inTurn = new BuildHarness();
        MultiPlatformBuildTests.WriteContext(concurrent.ContextDirectory);
        MultiPlatformBuildTests.WriteContext(inTurn.ContextDirectory);
        var options = concurrent.Options("") with { DockerfileText = null, Platform = null, Platforms = Both };

        var sideBySide = await concurrent.BuildAsync(options);
        var oneAtATime = await MultiPlatformBuild.BuildAsync(inTurn.Store, options with { ContextDirectory = inTurn.ContextDirectory }, null, Token, maxParallel: 1);

        Assert.Equal(oneAtATime.Platforms.Select(p => p.Manifest.Digest), sideBySide.Platforms.Select(p => p.Manifest.Digest));
        Assert.Equal(oneAtATime.Manifest.Digest, sideBySide.Manifest.Digest);
        Assert.Equal(
            await inTurn.Store.Content.ReadAllBytesAsync(oneAtATime.Manifest.Digest, Token),
            await concurrent.Store.Content.ReadAllBytesAsync(sideBySide.Manifest.Digest, Token));
    }
}
