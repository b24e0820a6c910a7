using System.Formats.Tar;
using Tabula.Dockerfile;

namespace Tabula.Tests.Build;

/// <summary>DESIGN §5: COPY (and ADD of plain files) from the build context.</summary>
public class CopyContextTests
{
    private static async Task<IReadOnlyList<LayerContents.Row>> LastLayerAsync(BuildHarness h, string dockerfile)
    {
        var image = await h.BuildImageAsync(dockerfile);
        return await LayerContents.ReadAsync(image.Layers[^1]);
    }

    [Fact]
    public async Task A_file_goes_to_a_file_path_a_slash_dir_or_an_existing_dir()
    {
        using var h = new BuildHarness();
        h.File("a.txt", "A");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY a.txt /x/renamed\nCOPY a.txt /y/\nCOPY a.txt /x\n");
        Assert.Equal(["x", "x/renamed"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[0])));
        Assert.Equal(["y", "y/a.txt"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[1])));
        // /x exists as a directory now, so the file goes inside it.
        Assert.Equal(["x", "x/a.txt"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[2])));
    }

    [Fact]
    public async Task A_directory_copies_its_contents_not_itself()
    {
        using var h = new BuildHarness();
        h.File("dir/a", "a");
        h.File("dir/sub/b", "b");
        var rows = await LastLayerAsync(h, "FROM scratch\nCOPY dir /dst\n");
        Assert.Equal(["dst", "dst/a", "dst/sub", "dst/sub/b"], LayerContents.Paths(rows));
    }

    [Fact]
    public async Task An_empty_directory_is_copied_as_a_directory()
    {
        using var h = new BuildHarness();
        h.Files.Directory("empty", "750");
        h.Files.Directory("tree", "755");
        h.Files.Directory("tree/hollow", "700");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY empty /e\nCOPY tree /t/\n");
        // The destination itself is made as a parent is (0755, the epoch), as BuildKit's copy does: only what is
        // inside the source directory keeps its own mode and time.
        var e = LayerContents.Single(await LayerContents.ReadAsync(image.Layers[0]), "e");
        Assert.Equal((TarEntryType.Directory, 0b111_101_101, BuildHarness.Epoch.ToUnixTimeSeconds()), (e.Type, e.Mode, e.MTime));
        var hollow = LayerContents.Single(await LayerContents.ReadAsync(image.Layers[1]), "t/hollow");
        Assert.Equal((TarEntryType.Directory, 0b111_000_000), (hollow.Type, hollow.Mode));
    }

    [Fact]
    public async Task Wildcards_match_one_component_each()
    {
        using var h = new BuildHarness();
        h.File("a.txt", "a");
        h.File("b.txt", "b");
        h.File("c.md", "c");
        h.File("dir/x", "x");
        h.File("dir/y/z", "z");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY *.txt /t/\nCOPY dir/* /d/\n");
        Assert.Equal(["t", "t/a.txt", "t/b.txt"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[0])));
        // dir/y matched: its contents go to /d, as a directory source always does.
        Assert.Equal(["d", "d/x", "d/z"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[1])));
    }

    [Fact]
    public async Task A_wildcard_matching_nothing_copies_nothing_as_buildkit_allows()
    {
        using var h = new BuildHarness();
        h.File("a.txt", "a");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY *.none a.txt /t/\n");
        Assert.Equal(["t", "t/a.txt"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[0])));
    }

    [Theory]
    [InlineData("COPY a.txt b.txt /dst")]
    [InlineData("COPY *.txt /dst")]
    public async Task Several_sources_need_a_directory_destination(string copy)
    {
        using var h = new BuildHarness();
        h.File("a.txt", "a");
        h.File("b.txt", "b");
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync("FROM scratch\n" + copy + "\n"));
        Assert.StartsWith("Dockerfile:2", error.Message);
        Assert.Contains("must be a directory and end with a /", error.Message);

        // An existing directory is fine without the slash.
        var rows = await LastLayerAsync(h, "FROM scratch\nCOPY a.txt /dst/\n" + copy + "\n");
        Assert.Equal(["dst", "dst/a.txt", "dst/b.txt"], LayerContents.Paths(rows));
        Assert.Equal(("a", "b"), (LayerContents.Single(rows, "dst/a.txt").Text, LayerContents.Single(rows, "dst/b.txt").Text));
    }

    [Fact]
    public async Task A_relative_destination_starts_at_workdir()
    {
        using var h = new BuildHarness();
        h.File("a.txt", "a");
        var rows = await LastLayerAsync(h, "FROM scratch\nWORKDIR /app\nCOPY a.txt sub/\nCOPY a.txt .\n");
        Assert.Equal(["app", "app/a.txt"], LayerContents.Paths(rows));
        var image = await h.LoadAsync("test:latest");
        Assert.Equal(["app", "app/sub", "app/sub/a.txt"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[1])));
    }

    [Fact]
    public async Task Parents_are_0755_files_keep_mode_and_mtime_and_become_root_owned()
    {
        using var h = new BuildHarness();
        h.File("tool", "#!/bin/sh\n", "750");
        var mtime = new DateTimeOffset(2020, 2, 3, 4, 5, 6, TimeSpan.Zero);
        File.SetLastWriteTimeUtc(h.Files.Combine("tool"), mtime.UtcDateTime);
        var rows = await LastLayerAsync(h, "FROM scratch\nCOPY tool /usr/local/bin/\n");
        Assert.Equal(["usr", "usr/local", "usr/local/bin", "usr/local/bin/tool"], LayerContents.Paths(rows));
        foreach (var dir in rows.Take(3))
            Assert.Equal((TarEntryType.Directory, 0b111_101_101, 0, 0, BuildHarness.Epoch.ToUnixTimeSeconds()), (dir.Type, dir.Mode, dir.Uid, dir.Gid, dir.MTime));
        var tool = rows[3];
        Assert.Equal((0b111_101_000, 0, 0, mtime.ToUnixTimeSeconds(), "#!/bin/sh\n"), (tool.Mode, tool.Uid, tool.Gid, tool.MTime, tool.Text));
    }

    [Fact]
    public async Task Timestamp_clamps_later_mtimes()
    {
        using var h = new BuildHarness();
        h.File("new", "n");
        File.SetLastWriteTimeUtc(h.Files.Combine("new"), BuildHarness.Epoch.AddYears(3).UtcDateTime);
        var rows = await LastLayerAsync(h, "FROM scratch\nCOPY new /\n");
        Assert.Equal(BuildHarness.Epoch.ToUnixTimeSeconds(), LayerContents.Single(rows, "new").MTime);
    }

    [Fact]
    public async Task Chown_takes_numbers_and_names_from_the_images_own_files()
    {
        using var h = new BuildHarness();
        h.File("passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1001:1002::/home/app:/bin/sh\n");
        h.File("group", "root:x:0:\napp:x:1003:\nstaff:x:50:\n");
        h.File("f", "f");
        await h.BuildAsync("FROM scratch\nCOPY passwd group /etc/\n", "base:1");
        var image = await h.BuildImageAsync(
            "FROM base:1\nCOPY --chown=app:app f /a\nCOPY --chown=7 f /b\nCOPY --chown=app f /c\nCOPY --chown=8:staff f /d/\n");
        var owners = new List<(int, int)>();
        foreach (var layer in image.Layers.Skip(1))
        {
            var rows = await LayerContents.ReadAsync(layer);
            owners.Add((rows[^1].Uid, rows[^1].Gid));
        }
        // A user alone takes its primary group from /etc/passwd, as BuildKit does.
        Assert.Equal([(1001, 1003), (7, 7), (1001, 1002), (8, 50)], owners);
        // Parents a --chown copy creates are owned as the copied files.
        var d = LayerContents.Single(await LayerContents.ReadAsync(image.Layers[^1]), "d");
        Assert.Equal((8, 50), (d.Uid, d.Gid));
    }

    [Fact]
    public async Task Chown_with_an_unknown_name_fails_located()
    {
        using var h = new BuildHarness();
        h.File("f", "f");
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync("FROM scratch\nCOPY --chown=nobody f /f\n"));
        Assert.StartsWith("Dockerfile:2", error.Message);
        Assert.Contains("nobody", error.Message);
    }

    [Fact]
    public async Task Chmod_sets_files_and_directories()
    {
        using var h = new BuildHarness();
        h.File("dir/f", "f", "600");
        h.Files.Directory("dir/sub", "700");
        var rows = await LastLayerAsync(h, "FROM scratch\nCOPY --chmod=751 dir /p/d\n");
        Assert.Equal(0b111_101_001, LayerContents.Single(rows, "p/d/f").Mode);
        Assert.Equal(0b111_101_001, LayerContents.Single(rows, "p/d/sub").Mode);
        // BuildKit makes the destination and its missing parents with the --chmod mode too.
        Assert.Equal(0b111_101_001, LayerContents.Single(rows, "p/d").Mode);
        Assert.Equal(0b111_101_001, LayerContents.Single(rows, "p").Mode);
    }

    [Fact]
    public async Task Symlinks_inside_a_directory_stay_symlinks()
    {
        using var h = new BuildHarness();
        h.File("dir/real", "r");
        h.Symlink("dir/link", "real");
        h.Symlink("dir/dangling", "/nowhere");
        var rows = await LastLayerAsync(h, "FROM scratch\nCOPY dir /d\n");
        Assert.Equal((TarEntryType.SymbolicLink, "real"), (LayerContents.Single(rows, "d/link").Type, LayerContents.Single(rows, "d/link").LinkName));
        Assert.Equal("/nowhere", LayerContents.Single(rows, "d/dangling").LinkName);
    }

    [Fact]
    public async Task A_symlink_named_as_source_is_followed_inside_the_context()
    {
        using var h = new BuildHarness();
        h.File("real/file", "inside");
        h.Symlink("link", "real/file");
        h.Symlink("dirlink", "real");
        h.Symlink("escape", "../../../../../../../../etc/hostname");
        h.File("etc/hostname", "context's own");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY link /l\nCOPY dirlink /d\nCOPY escape /e\n");
        var l = LayerContents.Single(await LayerContents.ReadAsync(image.Layers[0]), "l");
        Assert.Equal((TarEntryType.RegularFile, "inside"), (l.Type, l.Text));
        Assert.Equal(["d", "d/file"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[1])));
        // '..' stops at the context root, so the link reads the context's etc/hostname, never the host's.
        Assert.Equal("context's own", LayerContents.Single(await LayerContents.ReadAsync(image.Layers[2]), "e").Text);
    }

    [Fact]
    public async Task An_absolute_symlink_resolves_against_the_context_root()
    {
        using var h = new BuildHarness();
        h.Symlink("abs", "/etc/passwd");
        // The context has no etc/passwd: the link must not reach the host's.
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync("FROM scratch\nCOPY abs /x\n"));
        Assert.Contains("Dockerfile:2", error.Message);

        h.File("etc/passwd", "context's own");
        var rows = await LastLayerAsync(h, "FROM scratch\nCOPY abs /x\n");
        Assert.Equal("context's own", LayerContents.Single(rows, "x").Text);
    }

    [Fact]
    public async Task Dockerignore_keeps_files_out_of_every_layer_and_bang_reincludes()
    {
        using var h = new BuildHarness();
        h.File(".dockerignore", "secret*\nlogs/\n*.tmp\n!keep.tmp\n");
        h.File("secret.key", "S");
        h.File("app/secret.txt", "inner");
        h.File("logs/today.log", "L");
        h.File("x.tmp", "t");
        h.File("keep.tmp", "k");
        h.File("app/main", "m");
        var rows = await LastLayerAsync(h, "FROM scratch\nCOPY . /src/\n");
        Assert.Equal(["src", "src/.dockerignore", "src/app", "src/app/main", "src/app/secret.txt", "src/keep.tmp"], LayerContents.Paths(rows));

        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync("FROM scratch\nCOPY secret.key /\n"));
        Assert.Contains("secret.key", error.Message);
        error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync("FROM scratch\nCOPY logs/today.log /\n"));
        Assert.Contains("logs/today.log", error.Message);
    }

    [Fact]
    public async Task A_dockerfile_specific_ignore_file_wins_over_the_context_one()
    {
        using var h = new BuildHarness();
        h.File(".dockerignore", "a\n");
        h.File("build.Dockerfile", "FROM scratch\nCOPY . /\n");
        h.File("build.Dockerfile.dockerignore", "b\n*.Dockerfile*\n");
        h.File("a", "a");
        h.File("b", "b");
        await h.BuildAsync(h.Options(null!) with { DockerfileText = null, DockerfilePath = h.Files.Combine("build.Dockerfile") });
        var rows = await LayerContents.ReadAsync((await h.LoadAsync("test:latest")).Layers[0]);
        Assert.Equal([".dockerignore", "a"], LayerContents.Paths(rows));
    }

    [Fact]
    public async Task Exclude_skips_matches_under_the_source()
    {
        using var h = new BuildHarness();
        h.File("dir/a.go", "a");
        h.File("dir/a_test.go", "t");
        h.File("dir/sub/b_test.go", "t");
        h.File("dir/sub/b.go", "b");
        var rows = await LastLayerAsync(h, "FROM scratch\nCOPY --exclude=*_test.go --exclude=**/*_test.go dir /d\n");
        Assert.Equal(["d", "d/a.go", "d/sub", "d/sub/b.go"], LayerContents.Paths(rows));
    }

    [Fact]
    public async Task Parents_keeps_the_source_directories()
    {
        using var h = new BuildHarness();
        h.File("x/y/a.txt", "a");
        h.File("x/z/b.txt", "b");
        h.File("x/y/c.md", "c");
        var rows = await LastLayerAsync(h, "FROM scratch\nCOPY --parents x/*/*.txt /out/\n");
        Assert.Equal(["out", "out/x", "out/x/y", "out/x/y/a.txt", "out/x/z", "out/x/z/b.txt"], LayerContents.Paths(rows));
    }

    [Fact]
    public async Task Parents_with_a_pivot_keeps_only_what_follows_it()
    {
        using var h = new BuildHarness();
        h.File("x/y/a.txt", "a");
        var rows = await LastLayerAsync(h, "FROM scratch\nCOPY --parents x/./y/a.txt /out/\n");
        Assert.Equal(["out", "out/y", "out/y/a.txt"], LayerContents.Paths(rows));
    }

    [Fact]
    public async Task Heredoc_sources_become_files()
    {
        using var h = new BuildHarness();
        var image = await h.BuildImageAsync("FROM scratch\nARG WHO=world\nCOPY <<EOF /hello\nhello $WHO\nEOF\nCOPY <<one <<two /d/\n1\none\n2\ntwo\n");
        var hello = LayerContents.Single(await LayerContents.ReadAsync(image.Layers[0]), "hello");
        Assert.Equal(("hello world\n", 0b110_100_100, BuildHarness.Epoch.ToUnixTimeSeconds()), (hello.Text, hello.Mode, hello.MTime));
        Assert.Equal(["d", "d/one", "d/two"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[1])));
        Assert.Equal(["COPY <<EOF /hello # buildkit", "COPY <<one <<two /d/ # buildkit"], image.Config.History!.Skip(1).Select(e => e.CreatedBy!));
    }

    [Fact]
    public async Task Copy_to_a_symlink_to_a_directory_in_a_lower_layer_follows_it()
    {
        using var h = new BuildHarness();
        h.Files.Directory("base", "755");
        h.Files.Directory("base/real", "755");
        h.Symlink("base/link", "real");
        h.File("f", "f");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY base /\nCOPY f /link/\nCOPY f /link/g\nCOPY f /link\n");
        Assert.Equal(["real", "real/f"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[1])));
        Assert.Equal(["real", "real/g"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[2])));
        // Without the slash too: the destination resolves to a directory, so the file goes inside.
        Assert.Equal(["real", "real/f"], LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[3])));
    }

    [Fact]
    public async Task Names_needing_pax_survive()
    {
        using var h = new BuildHarness();
        var longName = string.Join('/', Enumerable.Repeat("segment-of-a-long-path", 8)) + "/file";
        h.File(longName, "deep");
        h.File("ünïcødé/日本.txt", "u");
        var rows = await LastLayerAsync(h, "FROM scratch\nCOPY . /\n");
        Assert.Equal("deep", LayerContents.Single(rows, longName).Text);
        Assert.Equal("u", LayerContents.Single(rows, "ünïcødé/日本.txt").Text);
    }

    [Fact]
    public async Task A_missing_source_is_named_in_a_located_error()
    {
        using var h = new BuildHarness();
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync("FROM scratch\nLABEL a=b\nCOPY missing.txt /\n"));
        Assert.StartsWith("Dockerfile:3", error.Message);
        Assert.Contains("missing.txt", error.Message);
    }
}
