using Tabula.Dockerfile;

namespace Tabula.Tests.Build;

/// <summary>Multi-stage builds without RUN: stages as sources and as bases, --target, images as sources.</summary>
public class MultiStageTests
{
    [Fact]
    public async Task Copy_from_a_named_stage_and_by_index()
    {
        using var h = new BuildHarness();
        h.File("out/app", "binary", "755");
        h.File("conf", "c");
        var image = await h.BuildImageAsync("""
            FROM scratch AS build
            COPY out /out
            FROM scratch AS conf
            COPY conf /etc/app.conf
            FROM scratch
            COPY --from=build /out/app /app
            COPY --from=1 /etc /etc
            """);
        Assert.Equal(2, image.Layers.Count);
        var app = LayerContents.Single(await LayerContents.ReadAsync(image.Layers[0]), "app");
        Assert.Equal(("binary", 0b111_101_101), (app.Text, app.Mode));
        Assert.Equal(["etc", "etc/app.conf"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[1])));
        // Only the final stage's steps are in its history, and --from is not shown (BuildKit).
        Assert.Equal(["COPY /out/app /app # buildkit", "COPY /etc /etc # buildkit"], image.Config.History!.Select(e => e.CreatedBy!));
    }

    [Fact]
    public async Task Independent_stages_are_announced_and_each_step_is_reported_under_its_stage()
    {
        using var h = new BuildHarness();
        h.File("a", "a");
        h.File("b", "b");
        h.File("unused", "u");
        var image = await h.BuildImageAsync("""
            FROM scratch AS left
            COPY a /a
            FROM scratch AS unused
            COPY unused /unused
            FROM scratch AS right
            COPY b /b
            FROM scratch
            COPY --from=left /a /a
            COPY --from=right /b /b
            """);
        Assert.Equal(2, image.Layers.Count);
        var planned = Assert.Single(h.Events.OfType<Tabula.Build.StagesPlanned>());
        Assert.Equal([(0, "left"), (2, "right"), (3, "stage-3")], planned.Stages);
        var started = h.Events.OfType<Tabula.Build.StepStarted>().ToList();
        Assert.DoesNotContain(started, s => s.Stage == 1);
        Assert.Equal(["FROM scratch AS left", "COPY a /a"], started.Where(s => s.Stage == 0).Select(s => s.Text));
        Assert.Equal(["FROM scratch AS right", "COPY b /b"], started.Where(s => s.Stage == 2).Select(s => s.Text));
    }

    [Fact]
    public async Task Independent_stages_run_at_the_same_time()
    {
        using var h = new BuildHarness();
        h.File("a", "a");
        h.File("b", "b");
        // Stage "left" waits in its COPY step until stage "right" has started its own: built one after the other,
        // right would never start and the wait would run out (a guard against hanging, not a timing assertion).
        using var rightStarted = new ManualResetEventSlim();
        bool leftSawRight = false;
        h.OnEvent = e =>
        {
            if (e is Tabula.Build.StepStarted { Stage: 1, Step: 2 }) rightStarted.Set();
            if (e is Tabula.Build.StepStarted { Stage: 0, Step: 2 }) leftSawRight = rightStarted.Wait(TimeSpan.FromSeconds(60));
        };
        await h.BuildAsync("""
            FROM scratch AS left
            COPY a /a
            FROM scratch AS right
            COPY b /b
            FROM scratch
            COPY --from=left /a /a
            COPY --from=right /b /b
            """);
        Assert.True(leftSawRight, "stage 'right' did not start while stage 'left' was running");
    }

    [Fact]
    public async Task When_one_of_two_independent_stages_fails_its_error_is_the_one_reported()
    {
        using var h = new BuildHarness();
        h.File("b", "b");
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync("""
            FROM scratch AS left
            COPY missing /missing
            FROM scratch AS right
            COPY b /b
            FROM scratch
            COPY --from=left /missing /a
            COPY --from=right /b /b
            """));
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public async Task A_stage_can_be_the_base_of_another()
    {
        using var h = new BuildHarness();
        h.File("a", "a");
        h.File("b", "b");
        var image = await h.BuildImageAsync("FROM scratch AS base\nCOPY a /a\nENV X=1\nFROM base\nCOPY b /b\n");
        Assert.Equal(2, image.Layers.Count);
        Assert.Contains("X=1", image.Config.Config!.Env!);
        Assert.Equal(["COPY a /a # buildkit", "ENV X=1", "COPY b /b # buildkit"], image.Config.History!.Select(e => e.CreatedBy!));
    }

    [Fact]
    public async Task Target_builds_only_the_stages_it_needs()
    {
        using var h = new BuildHarness();
        h.File("a", "a");
        // The last stage would fail; building the first must not touch it.
        const string dockerfile = "FROM scratch AS first\nCOPY a /a\nFROM scratch AS broken\nCOPY missing /m\nFROM first AS second\nLABEL s=1\n";
        await h.BuildAsync(h.Options(dockerfile) with { Target = "second" });
        var image = await h.LoadAsync("test:latest");
        Assert.Equal("1", image.Config.Config!.Labels!["s"]);
        Assert.Single(image.Layers);

        await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync(h.Options(dockerfile) with { Target = "broken" }));
    }

    [Fact]
    public async Task Target_is_case_insensitive_and_an_unknown_one_is_an_error()
    {
        using var h = new BuildHarness();
        await h.BuildAsync(h.Options("FROM scratch AS First\nLABEL a=b\n") with { Target = "FIRST" });
        var before = h.IndexBytes();
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync(h.Options("FROM scratch AS a\nLABEL a=b\n") with { Target = "nope" }));
        Assert.Contains("nope", error.Message);
        Assert.Equal(before, h.IndexBytes());
    }

    [Fact]
    public async Task Copy_from_an_image_in_the_store()
    {
        using var h = new BuildHarness();
        h.File("tool", "T", "755");
        await h.BuildAsync("FROM scratch\nCOPY tool /usr/bin/tool\n", "tools:1");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY --from=tools:1 /usr/bin/tool /tool\n");
        var tool = LayerContents.Single(await LayerContents.ReadAsync(image.Layers[0]), "tool");
        Assert.Equal(("T", 0b111_101_101), (tool.Text, tool.Mode));
    }

    [Fact]
    public async Task Copy_from_keeps_owners_and_symlinks_of_the_source_stage()
    {
        using var h = new BuildHarness();
        h.File("dir/f", "f");
        h.Symlink("dir/l", "f");
        var image = await h.BuildImageAsync("FROM scratch AS s\nCOPY --chown=3:4 dir /d\nFROM scratch\nCOPY --from=s /d /e\nCOPY --from=s /d/l /single\n");
        var rows = await LayerContents.ReadAsync(image.Layers[0]);
        Assert.Equal((3, 4), (LayerContents.Single(rows, "e/f").Uid, LayerContents.Single(rows, "e/f").Gid));
        Assert.Equal("f", LayerContents.Single(rows, "e/l").LinkName);
        // A symlink named as the source is followed (inside the source stage's root).
        var single = LayerContents.Single(await LayerContents.ReadAsync(image.Layers[1]), "single");
        Assert.Equal((System.Formats.Tar.TarEntryType.RegularFile, "f"), (single.Type, single.Text));
    }

    [Fact]
    public async Task Copy_from_honours_exclude_relative_to_each_source()
    {
        using var h = new BuildHarness();
        h.File("dir1/a.png", "1");
        h.File("dir1/b.txt", "2");
        h.File("dir2/c.png", "3");
        h.File("dir2/sub/d.png", "4");
        var image = await h.BuildImageAsync("FROM scratch AS base\nCOPY . /\nFROM scratch\nCOPY --from=base --exclude=*.png --exclude=sub dir* /out/\n");
        Assert.Equal(["out", "out/b.txt"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[0])));
    }

    [Fact]
    public async Task Copy_from_a_stage_whose_layer_took_the_fast_path()
    {
        using var h = new BuildHarness();
        h.Bytes("rootfs.tar", Tabula.Tests.Layers.TarTestData.BclTar(System.Formats.Tar.TarEntryFormat.Pax,
            ("etc", System.Formats.Tar.TarEntryType.Directory, null),
            ("etc/hostname", System.Formats.Tar.TarEntryType.RegularFile, "from the archive\n")));
        await h.BuildAsync(h.Options("FROM scratch AS root\nADD rootfs.tar /\nFROM scratch\nCOPY --from=root /etc/hostname /h\n") with { Timestamp = null });
        var image = await h.LoadAsync("test:latest");
        Assert.Equal("from the archive\n", LayerContents.Single(await LayerContents.ReadAsync(image.Layers[0]), "h").Text);
    }

    [Fact]
    public async Task Copy_from_with_parents_and_a_pivot()
    {
        using var h = new BuildHarness();
        h.File("src/x/y/a.txt", "a");
        var image = await h.BuildImageAsync("FROM scratch AS s\nCOPY src /src\nFROM scratch\nCOPY --from=s --parents /src/x/y/a.txt /src/./x/y/a.txt /out/\n");
        Assert.Equal(["out", "out/src", "out/src/x", "out/src/x/y", "out/src/x/y/a.txt", "out/x", "out/x/y", "out/x/y/a.txt"],
            LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[0])));
    }

    [Fact]
    public async Task Copy_from_an_unknown_name_is_a_located_error()
    {
        using var h = new BuildHarness();
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync("FROM scratch\nCOPY --from=nothere /x /x\n"));
        Assert.StartsWith("Dockerfile:2", error.Message);
        Assert.Contains("nothere", error.Message);
    }
}
