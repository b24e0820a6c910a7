namespace Tabula.Tests.Build;

/// <summary>DESIGN §3: the same inputs give the same digests.</summary>
public class DeterminismTests
{
    private const string Dockerfile = """
        FROM scratch AS build
        COPY . /src
        FROM scratch
        WORKDIR /app
        COPY --from=build /src/bin /app/bin
        ADD archive.tgz /opt/
        COPY <<EOF /etc/motd
        hello
        EOF
        ENV A=1
        CMD ["/app/bin/run"]
        """;

    private static void WriteContext(BuildHarness h)
    {
        h.File("bin/run", "#!/bin/sh\necho run\n", "755");
        h.File("bin/lib/x.so", new string('x', 5000));
        h.Symlink("bin/current", "run");
        h.Bytes("archive.tgz", Tabula.Tests.Layers.CompressedSamples.Gzip(Tabula.Tests.Layers.TarTestData.BclTar(
            System.Formats.Tar.TarEntryFormat.Pax,
            ("share", System.Formats.Tar.TarEntryType.Directory, null),
            ("share/data", System.Formats.Tar.TarEntryType.RegularFile, "data"))));
        var mtime = new DateTime(2023, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        foreach (var path in Directory.EnumerateFileSystemEntries(h.ContextDirectory, "*", SearchOption.AllDirectories))
            SetTime(path, mtime);
    }

    /// <summary>A symlink's own time too (its lstat time is what COPY keeps), which File.SetLastWriteTimeUtc may not reach.</summary>
    private static void SetTime(string path, DateTime time)
    {
        if (new FileInfo(path).LinkTarget is null)
        {
            File.SetLastWriteTimeUtc(path, time);
            return;
        }
        var touch = System.Diagnostics.Process.Start("touch", ["-h", "-d", "@" + new DateTimeOffset(time).ToUnixTimeSeconds(), path])!;
        touch.WaitForExit();
        Assert.Equal(0, touch.ExitCode);
    }

    [Fact]
    public async Task Same_inputs_and_timestamp_give_the_same_manifest_in_fresh_stores()
    {
        var digests = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            using var h = new BuildHarness();
            WriteContext(h);
            var result = await h.BuildAsync(Dockerfile);
            digests.Add(result.Manifest.Digest.ToString());
        }
        Assert.Equal(digests[0], digests[1]);
    }

    /// <summary>
    /// Without a timestamp the directories the steps make or write into carry the build time, as BuildKit leaves
    /// them, so only a timestamp makes layers reproducible; copied files keep their own times either way.
    /// </summary>
    [Fact]
    public async Task Without_a_timestamp_made_directories_carry_the_build_time()
    {
        using var h = new BuildHarness();
        WriteContext(h);
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await h.BuildAsync(h.Options(Dockerfile) with { Timestamp = null });
        var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var image = await h.LoadAsync("test:latest");
        var app = LayerContents.Single(await LayerContents.ReadAsync(image.Layers[0]), "app");
        Assert.InRange(app.MTime, before, after);
        var copied = await LayerContents.ReadAsync(image.Layers[1]);
        Assert.InRange(LayerContents.Single(copied, "app").MTime, before, after);
        var contextTime = new DateTimeOffset(2023, 3, 4, 5, 6, 7, TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.Equal(contextTime, LayerContents.Single(copied, "app/bin/run").MTime);
        Assert.Equal(contextTime, LayerContents.Single(copied, "app/bin").MTime); // a directory source's destination takes its time
    }
}
