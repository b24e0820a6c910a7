using Tabula.Dockerfile;

namespace Tabula.Tests.Build;

/// <summary>A base image's ONBUILD triggers run right after FROM, before the stage's own instructions, as BuildKit's.</summary>
public class OnbuildTests
{
    private static async Task BuildBaseAsync(BuildHarness h) =>
        await h.BuildAsync("FROM scratch\nONBUILD COPY x /x\nONBUILD LABEL a=b\nLABEL base=1\n", "onbase:1");

    [Fact]
    public async Task Triggers_run_before_the_stage_and_are_cleared()
    {
        using var h = new BuildHarness();
        await BuildBaseAsync(h);
        h.File("x", "from the context");

        var image = await h.BuildImageAsync("FROM onbase:1\nLABEL a=mine\nCOPY x /y\n");

        Assert.Null(image.Config.Config!.OnBuild);
        // The trigger's LABEL ran first, so the stage's own one wins.
        Assert.Equal("mine", image.Config.Config.Labels!["a"]);
        Assert.Equal("1", image.Config.Config.Labels["base"]);
        Assert.Equal(["LABEL base=1", "COPY x /x # buildkit", "LABEL a=b", "LABEL a=mine", "COPY x /y # buildkit"],
            image.Config.History!.Select(e => e.CreatedBy!));
        var rows = await LayerContents.ReadAllAsync(image);
        Assert.Equal("from the context", LayerContents.Single(rows, "x").Text);
    }

    [Fact]
    public async Task Triggers_run_once_only_for_the_direct_child()
    {
        using var h = new BuildHarness();
        await BuildBaseAsync(h);
        h.File("x", "x");
        await h.BuildAsync("FROM onbase:1\n", "child:1");

        var grandchild = await h.BuildImageAsync("FROM child:1\nLABEL c=d\n");

        Assert.Null(grandchild.Config.Config!.OnBuild);
        Assert.Equal(["LABEL base=1", "COPY x /x # buildkit", "LABEL a=b", "LABEL c=d"], grandchild.Config.History!.Select(e => e.CreatedBy!));
    }

    [Fact]
    public async Task A_stage_based_on_a_stage_with_onbuild_runs_its_triggers()
    {
        using var h = new BuildHarness();
        h.File("x", "x");
        var image = await h.BuildImageAsync("FROM scratch AS base\nONBUILD LABEL from=trigger\nFROM base\nLABEL own=1\n");
        Assert.Null(image.Config.Config!.OnBuild);
        Assert.Equal("trigger", image.Config.Config.Labels!["from"]);
    }

    [Fact]
    public async Task A_failing_trigger_names_the_from_line()
    {
        using var h = new BuildHarness();
        await BuildBaseAsync(h);
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync("FROM scratch AS other\n\nFROM onbase:1\nLABEL z=1\n"));
        // The trigger's COPY fails (the context has no x), and the error is located at the FROM that ran it.
        Assert.StartsWith("Dockerfile:3: COPY failed: \"x\" not found", error.Message);
    }
}
