using System.Formats.Tar;
using Tabula.Tests.Build;

namespace Tabula.Tests.BuildKit;

/// <summary>BuildKit's frontend/dockerfile/dockerfile_workdir_test.go.</summary>
public class WorkdirTests
{
    /// <summary>The diffID of an empty tar (two zero blocks): BuildKit's layer of a WORKDIR whose directory exists.</summary>
    internal const string EmptyTarDiffId = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

    [Fact]
    public async Task TestWorkdirCreatesDir()
    {
        using var h = new BuildHarness();
        var image = await h.BuildImageAsync("FROM scratch\nWORKDIR /foo\nWORKDIR /\n");
        var foo = LayerContents.Single(await LayerContents.ReadAllAsync(image), "foo");
        Assert.Equal(TarEntryType.Directory, foo.Type);
        Assert.Equal("/", image.Config.Config!.WorkingDir);
    }

    /// <summary>BuildKit builds twice with the same SOURCE_DATE_EPOCH and compares the OCI index; here two fresh stores.</summary>
    [Fact]
    public async Task TestWorkdirSourceDateEpochReproducible()
    {
        var epoch = new DateTimeOffset(2023, 1, 10, 15, 34, 56, TimeSpan.Zero);
        var digests = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            using var h = new BuildHarness();
            h.File("os-release", "base\n");
            await h.BuildAsync("FROM scratch\nCOPY os-release /etc/os-release\n", "base:1");
            var result = await h.BuildAsync(h.Options("FROM base:1\nWORKDIR /mydir\n") with { Timestamp = epoch });
            digests.Add(result.Manifest.Digest.ToString());
            var image = await h.LoadAsync("test:latest");
            Assert.Equal(epoch.ToUnixTimeSeconds(), LayerContents.Single(await LayerContents.ReadAsync(image.Layers[^1]), "mydir").MTime);
            await Task.Delay(1100, TestContext.Current.CancellationToken); // a clock tick between the builds
        }
        Assert.Equal(digests[0], digests[1]);
    }

    /// <summary>BuildKit checks with RUN stat that USER owns the directory WORKDIR makes; here the layer entry says it.</summary>
    [Fact]
    public async Task TestWorkdirUser()
    {
        using var h = new BuildHarness();
        h.File("passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n");
        h.File("group", "root:x:0:\nuser:x:1000:\n");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY passwd group /etc/\nUSER user\nWORKDIR /mydir\n");
        var mydir = LayerContents.Single(await LayerContents.ReadAsync(image.Layers[^1]), "mydir");
        Assert.Equal((1000, 1000), (mydir.Uid, mydir.Gid));
    }

    [Fact]
    public async Task TestWorkdirCopyIgnoreRelative()
    {
        using var h = new BuildHarness();
        h.File("Dockerfile", "x");
        var image = await h.BuildImageAsync("FROM scratch AS base\nWORKDIR /foo\nCOPY Dockerfile /\nFROM scratch\n# relative path still loaded as absolute\nCOPY --from=base Dockerfile .\n");
        Assert.Equal("x", LayerContents.Single(await LayerContents.ReadAllAsync(image), "Dockerfile").Text);
    }

    /// <summary>
    /// BuildKit checks with RUN stat that WORKDIR of an existing directory keeps its owner. Also what BuildKit's
    /// dispatchWorkdir does: the mkdir is committed all the same, as an empty layer that the history counts.
    /// </summary>
    [Fact]
    public async Task TestWorkdirExists()
    {
        using var h = new BuildHarness();
        h.File("passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n");
        h.File("group", "root:x:0:\nuser:x:1000:\n");
        h.File("mydir/keep", "k");
        var image = await h.BuildImageAsync("FROM scratch\nCOPY passwd group /etc/\nCOPY --chown=user:user mydir /mydir\nWORKDIR /mydir\n");
        var rows = await LayerContents.ReadAllAsync(image);
        var mydir = rows.Last(r => r.Path == "mydir");
        Assert.Equal((1000, 1000), (mydir.Uid, mydir.Gid));
        Assert.Equal(3, image.Layers.Count);
        Assert.Equal(EmptyTarDiffId, image.Layers[^1].DiffId.ToString());
        Assert.Null(image.Config.History![^1].EmptyLayer);
        Assert.Equal("/mydir", image.Config.Config!.WorkingDir);
    }
}
