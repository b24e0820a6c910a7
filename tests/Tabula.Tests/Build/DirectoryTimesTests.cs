namespace Tabula.Tests.Build;

/// <summary>
/// The mtimes BuildKit's copy and mkdir leave on directories: the build time on those a step makes or adds entries
/// to, the source directory's own on a directory source's destination; with a timestamp, that time.
/// </summary>
public class DirectoryTimesTests
{
    private static readonly DateTime SourceTime = new(2022, 2, 3, 4, 5, 6, DateTimeKind.Utc);

    private const string Dockerfile = "FROM base:1\nCOPY b /etc/b\nWORKDIR /etc/new/deep\nCOPY dir /etc/new/\nCOPY b /usr/share/b\n";

    /// <summary>A base image (built with the harness's timestamp) holding /etc and /usr/share.</summary>
    private static async Task PrepareAsync(BuildHarness h)
    {
        h.File("a", "a");
        h.File("b", "b");
        h.File("dir/inner/x", "x");
        foreach (var path in Directory.EnumerateFileSystemEntries(h.ContextDirectory, "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(path, SourceTime);
        await h.BuildAsync("FROM scratch\nCOPY a /etc/a\nCOPY a /usr/share/a\n", "base:1");
    }

    [Fact]
    public async Task Without_a_timestamp_made_and_written_directories_carry_the_build_time()
    {
        using var h = new BuildHarness();
        await PrepareAsync(h);
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await h.BuildAsync(h.Options(Dockerfile) with { Timestamp = null });
        var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var layers = (await h.LoadAsync("test:latest")).Layers;

        Assert.InRange(LayerContents.Single(await LayerContents.ReadAsync(layers[2]), "etc").MTime, before, after); // written into
        var workdir = await LayerContents.ReadAsync(layers[3]);
        Assert.InRange(LayerContents.Single(workdir, "etc").MTime, before, after);
        Assert.InRange(LayerContents.Single(workdir, "etc/new").MTime, before, after); // made
        Assert.InRange(LayerContents.Single(workdir, "etc/new/deep").MTime, before, after);
        var copied = await LayerContents.ReadAsync(layers[4]);
        var source = new DateTimeOffset(SourceTime).ToUnixTimeSeconds();
        Assert.Equal(source, LayerContents.Single(copied, "etc/new").MTime); // a directory source's destination
        Assert.Equal(source, LayerContents.Single(copied, "etc/new/inner").MTime);
        var share = await LayerContents.ReadAsync(layers[5]);
        Assert.InRange(LayerContents.Single(share, "usr/share").MTime, before, after);
        Assert.Equal(BuildHarness.Epoch.ToUnixTimeSeconds(), LayerContents.Single(share, "usr").MTime); // only a deeper entry changed: kept
    }

    [Fact]
    public async Task With_a_timestamp_they_carry_it_and_the_digest_repeats()
    {
        var digests = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            using var h = new BuildHarness();
            await PrepareAsync(h);
            digests.Add((await h.BuildAsync(Dockerfile)).Manifest.Digest.ToString());
            var layers = (await h.LoadAsync("test:latest")).Layers;
            Assert.Equal(BuildHarness.Epoch.ToUnixTimeSeconds(), LayerContents.Single(await LayerContents.ReadAsync(layers[2]), "etc").MTime);
            await Task.Delay(1100, TestContext.Current.CancellationToken);
        }
        Assert.Equal(digests[0], digests[1]);
    }
}
