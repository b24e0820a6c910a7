using Tabula.Build;

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

    [Fact]
    public async Task Without_a_timestamp_the_layers_are_still_the_same()
    {
        var layers = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            using var h = new BuildHarness();
            WriteContext(h);
            await h.BuildAsync(h.Options(Dockerfile) with { Timestamp = null });
            var image = await h.LoadAsync("test:latest");
            layers.Add(string.Join(",", image.Layers.Select(l => l.Digest.ToString())));
            await Task.Delay(1100, TestContext.Current.CancellationToken); // a clock tick between builds
        }
        Assert.Equal(layers[0], layers[1]);
    }
}
