using Tabula.Build;

namespace Tabula.Tests.Build;

/// <summary>
/// The build cache for ADD and COPY: what is in the key (each input changes it; files the step does not read do
/// not), and that a hit gives the very image a cold build gives.
/// </summary>
public class StepCacheTests
{
    /// <summary>The steps (1-based, as printed) the cache answered in the last build.</summary>
    private static async Task<List<int>> HitsAsync(BuildHarness h, BuildOptions options)
    {
        h.Events.Clear();
        await h.BuildAsync(options);
        return h.Events.OfType<StepCacheHit>().Select(e => e.Step).ToList();
    }

    private static Task<List<int>> HitsAsync(BuildHarness h, string dockerfile) => HitsAsync(h, h.Options(dockerfile));

    [Fact]
    public async Task A_rebuild_without_change_is_served_from_the_cache_and_gives_the_cold_builds_digest()
    {
        using var h = new BuildHarness();
        h.File("app/main", "main", "755");
        h.File("app/lib/util", "util");
        h.Symlink("app/current", "main");
        h.File("conf", "c");
        h.Bytes("rootfs.tar", Tabula.Tests.Layers.TarTestData.BclTar(System.Formats.Tar.TarEntryFormat.Pax, ("etc/os-release", System.Formats.Tar.TarEntryType.RegularFile, "ID=test\n")));
        const string dockerfile = """
            FROM scratch AS build
            COPY app /app
            FROM scratch
            ADD rootfs.tar /
            WORKDIR /srv
            COPY --chmod=600 conf ./
            COPY --from=build /app/main /bin/main
            COPY <<EOF /motd
            hello
            EOF
            COPY --parents app/./lib/util /opt/
            """;
        Assert.Empty(await HitsAsync(h, dockerfile));
        var warm = await h.BuildAsync(h.Options(dockerfile, "warm:1"));
        Assert.Equal([2, 2, 3, 4, 5, 6, 7], h.Events.OfType<StepCacheHit>().Select(e => e.Step).ToList());

        h.Events.Clear();
        var cold = await h.BuildAsync(h.Options(dockerfile, "cold:1") with { NoCache = true });
        Assert.Empty(h.Events.OfType<StepCacheHit>());
        Assert.Equal(cold.Manifest.Digest, warm.Manifest.Digest);
    }

    [Fact]
    public async Task Changing_a_copied_file_rebuilds_that_step_and_every_later_one()
    {
        using var h = new BuildHarness();
        h.File("a", "a");
        h.File("b", "b");
        const string dockerfile = "FROM scratch\nCOPY a /a\nCOPY b /b\n";
        await HitsAsync(h, dockerfile);

        h.File("b", "b2");
        Assert.Equal([2], await HitsAsync(h, dockerfile));
        h.File("a", "a2");
        Assert.Empty(await HitsAsync(h, dockerfile));
        var image = await h.LoadAsync("test:latest");
        Assert.Equal("a2", LayerContents.Single(await LayerContents.ReadAsync(image.Layers[0]), "a").Text);
        Assert.Equal([2, 3], await HitsAsync(h, dockerfile));
    }

    [Fact]
    public async Task Files_the_step_does_not_read_do_not_change_the_key()
    {
        using var h = new BuildHarness();
        h.File("src/keep", "k");
        h.File("src/skip.log", "1");
        h.File("src/excluded.tmp", "1");
        h.File("unrelated", "1");
        h.File(".dockerignore", "**/*.log\n");
        const string dockerfile = "FROM scratch\nCOPY --exclude=*.tmp src /src\n";
        await HitsAsync(h, dockerfile);

        h.File("unrelated", "2");
        h.File("src/skip.log", "2");
        h.File("src/excluded.tmp", "2");
        // Rewriting a file without changing it leaves the key alone too (mtimes are clamped to the build epoch).
        h.File("src/keep", "k");
        Assert.Equal([2], await HitsAsync(h, dockerfile));
    }

    [Theory]
    [InlineData("content")]
    [InlineData("mode")]
    [InlineData("symlink")]
    [InlineData("new file")]
    [InlineData("old mtime")]
    public async Task Each_thing_the_layer_shows_of_a_context_file_changes_the_key(string change)
    {
        using var h = new BuildHarness();
        h.File("d/f", "f");
        h.Symlink("d/l", "f");
        const string dockerfile = "FROM scratch\nCOPY d /d\n";
        await HitsAsync(h, dockerfile);

        var full = h.Files.Combine("d", "f");
        switch (change)
        {
            case "content": h.File("d/f", "g"); break;
            case "mode": File.SetUnixFileMode(full, Tabula.Tests.Integration.Support.FixtureWriter.Mode("755")); break;
            case "symlink": File.Delete(h.Files.Combine("d", "l")); h.Symlink("d/l", "other"); break;
            case "new file": h.File("d/g", "g"); break;
            // Before the epoch, a file's own mtime is what the layer carries.
            case "old mtime": File.SetLastWriteTimeUtc(full, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc)); break;
        }
        Assert.Empty(await HitsAsync(h, dockerfile));
    }

    [Fact]
    public async Task The_instruction_its_args_the_workdir_and_the_layer_settings_are_in_the_key()
    {
        using var h = new BuildHarness();
        h.File("f", "f");
        const string dockerfile = "FROM scratch\nWORKDIR /w\nARG D=x\nCOPY f $D\n";
        await HitsAsync(h, dockerfile);

        Assert.Equal([2, 4], await HitsAsync(h, dockerfile));
        Assert.Equal([2], await HitsAsync(h, "FROM scratch\nWORKDIR /w\nARG D=y\nCOPY f $D\n"));
        Assert.Equal([2], await HitsAsync(h, "FROM scratch\nWORKDIR /w\nARG D=x\nCOPY --chmod=600 f $D\n"));
        Assert.Empty(await HitsAsync(h, "FROM scratch\nWORKDIR /v\nARG D=x\nCOPY f $D\n"));
        Assert.Empty(await HitsAsync(h, h.Options(dockerfile) with { Compression = Tabula.Oci.LayerCompression.Zstd }));
        Assert.Empty(await HitsAsync(h, h.Options(dockerfile) with { Timestamp = BuildHarness.Epoch.AddDays(1) }));
        Assert.Equal([2, 4], await HitsAsync(h, dockerfile));
    }

    [Fact]
    public async Task A_workdir_is_cached_with_its_owner_and_one_that_exists_has_an_empty_layer()
    {
        using var h = new BuildHarness();
        h.File("passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
        const string dockerfile = "FROM scratch\nCOPY passwd /etc/passwd\nUSER app\nWORKDIR /w\nWORKDIR /w\nWORKDIR /etc\n";
        var first = await h.BuildImageAsync(dockerfile);
        Assert.Equal([2, 4, 5, 6], await HitsAsync(h, dockerfile));
        var again = await h.LoadAsync("test:latest");
        Assert.Equal(first.Layers.Select(l => l.Digest), again.Layers.Select(l => l.Digest));
        Assert.Equal(4, again.Layers.Count);
        var w = LayerContents.Single(await LayerContents.ReadAsync(again.Layers[1]), "w");
        Assert.Equal((1000, 1000), (w.Uid, w.Gid));
        Assert.Equal([2], await HitsAsync(h, dockerfile.Replace("USER app", "USER root")));
    }

    [Fact]
    public async Task A_build_arg_used_by_the_step_is_in_the_key()
    {
        using var h = new BuildHarness();
        h.File("one", "1");
        h.File("two", "2");
        const string dockerfile = "FROM scratch\nARG SRC=one\nCOPY $SRC /x\n";
        await HitsAsync(h, dockerfile);
        Assert.Equal([3], await HitsAsync(h, dockerfile));
        Assert.Empty(await HitsAsync(h, h.Options(dockerfile) with { BuildArgs = new Dictionary<string, string> { ["SRC"] = "two" } }));
        var image = await h.LoadAsync("test:latest");
        Assert.Equal("2", LayerContents.Single(await LayerContents.ReadAsync(image.Layers[0]), "x").Text);
    }

    [Fact]
    public async Task Copy_from_a_stage_is_keyed_on_the_stages_layers()
    {
        using var h = new BuildHarness();
        h.File("a", "a");
        h.File("b", "b");
        const string dockerfile = "FROM scratch AS s\nCOPY a /a\nFROM scratch\nCOPY b /b\nCOPY --from=s /a /a\n";
        await HitsAsync(h, dockerfile);
        h.File("a", "changed");
        // The stage's step and the copy from it rebuild; the final stage's own first step does not.
        Assert.Equal([2], await HitsAsync(h, dockerfile));
        var image = await h.LoadAsync("test:latest");
        Assert.Equal("changed", LayerContents.Single(await LayerContents.ReadAsync(image.Layers[1]), "a").Text);
    }

    [Fact]
    public async Task A_heredoc_is_keyed_on_its_content()
    {
        using var h = new BuildHarness();
        await HitsAsync(h, "FROM scratch\nCOPY <<EOF /f\none\nEOF\n");
        Assert.Equal([2], await HitsAsync(h, "FROM scratch\nCOPY <<EOF /f\none\nEOF\n"));
        Assert.Empty(await HitsAsync(h, "FROM scratch\nCOPY <<EOF /f\ntwo\nEOF\n"));
    }

    [Fact]
    public async Task No_cache_runs_every_step_and_a_pruned_layer_is_a_miss()
    {
        using var h = new BuildHarness();
        h.File("f", "f");
        const string dockerfile = "FROM scratch\nCOPY f /f\n";
        var first = await h.BuildAsync(dockerfile);
        Assert.Empty(await HitsAsync(h, h.Options(dockerfile) with { NoCache = true }));

        var ct = TestContext.Current.CancellationToken;
        await h.Store.References.UntagAsync(Tabula.Oci.ImageReference.ParseNamed("test:latest"), dropOrphan: true, ct);
        await h.Store.Collector.CollectAsync(ct);
        Assert.Empty(await HitsAsync(h, dockerfile));
        var again = await h.LoadAsync("test:latest");
        Assert.Equal("f", LayerContents.Single(await LayerContents.ReadAsync(again.Layers[0]), "f").Text);
        Assert.Equal(first.Manifest.Digest, (await h.Store.Resolver.ResolveAsync("test:latest", ct)).Manifest.Digest);
    }

    private const string TimedDockerfile = "FROM scratch\nENV a=b\nCOPY f /f\nWORKDIR /srv\nLABEL l=1\n";

    /// <summary>
    /// Without SOURCE_DATE_EPOCH a hit keeps the time its result was first made: a rebuild under another name is the
    /// same image, and the times are the first build's, not the rebuild's. A --no-cache build makes new results.
    /// </summary>
    [Fact]
    public async Task Without_an_epoch_a_rebuild_from_the_cache_keeps_the_first_builds_times_and_image()
    {
        using var h = new BuildHarness();
        h.File("f", "f");
        var first = await h.BuildAsync(h.Options(TimedDockerfile, "one:1") with { Timestamp = null });
        var second = await h.BuildAsync(h.Options(TimedDockerfile, "two:1") with { Timestamp = null });
        Assert.Equal(2, h.Events.OfType<StepCacheHit>().Count());
        Assert.Equal(first.Manifest, second.Manifest);

        var image = await h.LoadAsync("two:1");
        var copied = image.Config.History!.Single(e => e.CreatedBy!.StartsWith("COPY", StringComparison.Ordinal)).Created;
        Assert.NotNull(copied);
        // ENV, before the first new layer, is dated like COPY; LABEL like WORKDIR, the layer before it; the config like the last entry.
        Assert.Equal(copied, image.Config.History![0].Created);
        Assert.Equal(image.Config.History[2].Created, image.Config.History[3].Created);
        Assert.Equal(image.Config.History[3].Created, image.Config.Created);

        var fresh = await h.BuildAsync(h.Options(TimedDockerfile, "three:1") with { Timestamp = null, NoCache = true });
        Assert.NotEqual(first.Manifest.Digest, fresh.Manifest.Digest);
    }

    /// <summary>An entry written before times were kept (four lines) still hits; it is given this build's time, which later builds keep.</summary>
    [Fact]
    public async Task An_entry_without_a_time_still_hits_and_keeps_the_time_it_is_given()
    {
        using var h = new BuildHarness();
        h.File("f", "f");
        await h.BuildAsync(h.Options(TimedDockerfile) with { Timestamp = null });
        var entries = Directory.GetFiles(Path.Combine(h.Store.Content.Root, "cache", "steps"));
        Assert.Equal(2, entries.Length);
        foreach (var entry in entries)
        {
            var lines = System.IO.File.ReadAllLines(entry);
            Assert.Equal(5, lines.Length);
            System.IO.File.WriteAllLines(entry, lines[..4]);
        }

        h.Events.Clear();
        var second = await h.BuildAsync(h.Options(TimedDockerfile, "two:1") with { Timestamp = null });
        Assert.Equal(2, h.Events.OfType<StepCacheHit>().Count());
        Assert.All(entries, e => Assert.Equal(5, System.IO.File.ReadAllLines(e).Length));
        var third = await h.BuildAsync(h.Options(TimedDockerfile, "three:1") with { Timestamp = null });
        Assert.Equal(second.Manifest, third.Manifest);
    }
}
