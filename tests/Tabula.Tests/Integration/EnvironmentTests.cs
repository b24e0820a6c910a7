using Tabula.Tests.Integration.Support;
using Xunit.Sdk;

namespace Tabula.Tests.Integration;

/// <summary>
/// Proves the gate and the real components the integration tests stand on: if one of these
/// fails in CI, the setup is broken, not Tabula.
/// </summary>
public sealed class EnvironmentTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void MissingComponentSkipsOnADeveloperMachine()
    {
        // Caught by hand: Assert.Throws lets a skip through, so the test itself would be skipped.
        SkipException? skip = null;
        try
        {
            Requirements.Unmet("no frobnicator", required: false);
        }
        catch (SkipException caught)
        {
            skip = caught;
        }
        Assert.NotNull(skip);
        Assert.Contains("no frobnicator", skip.Message);
    }

    [Fact]
    public void MissingComponentFailsWhenIntegrationIsRequired()
    {
        var failure = Assert.Throws<FailException>(() => Requirements.Unmet("no frobnicator", required: true));
        Assert.Contains("no frobnicator", failure.Message);
        Assert.Contains(Requirements.RequireVariable, failure.Message);
    }

    [Fact]
    public async Task DockerDaemonAnswers()
    {
        var version = await Requirements.DockerDaemonAsync(Token);
        Assert.Matches(@"^\d+\.\d+", version);
    }

    [Theory]
    [InlineData("skopeo")]
    [InlineData("umoci")]
    [InlineData("runc")]
    [InlineData("docker-registry")]
    public async Task ToolReportsItsVersion(string tool)
    {
        var path = Requirements.Tool(tool);
        var result = await ProcessRunner.RunCheckedAsync(path, ["--version"], Token);
        Assert.NotEmpty((result.StandardOutput + result.StandardError).Trim());
    }

    [Fact]
    public void SharedConformanceDataIsBesideTheRepository()
    {
        var conformance = Requirements.SharedData("conformance");
        Assert.NotEmpty(Directory.EnumerateDirectories(conformance));
    }

    [Fact]
    public async Task DockerRunsTheBusyboxFixtureItBuiltSavedAndLoaded()
    {
        await using var docker = await Docker.ConnectAsync(Token);
        using var temp = new TempDir();
        var saved = await BuildAndSaveBusyboxAsync(docker, temp);
        await docker.RemoveImageAsync(saved.Tag, Token);

        var loaded = await docker.LoadAsync(saved.Archive, Token);
        var run = await docker.RunAsync(saved.Tag, ["/bin/busybox", "echo", "hi"], Token);

        Assert.Contains(saved.Tag, loaded);
        Assert.Equal(saved.ImageId, await docker.InspectAsync(saved.Tag, "{{.Id}}", Token));
        Assert.Equal("hi\n", run.EnsureSuccess().StandardOutput);
    }

    [Fact]
    public async Task DockerLayerHoldsTheFixtureEntriesAsTheTarHasThem()
    {
        await using var docker = await Docker.ConnectAsync(Token);
        using var temp = new TempDir();
        var saved = await BuildAndSaveBusyboxAsync(docker, temp);

        var layers = await DockerSaveArchive.ReadLayerListingsAsync(saved.Archive, Token);
        var fixture = await TarListing.ReadFileAsync(saved.RootfsArchive, Token);

        var layer = Assert.Single(layers);
        // docker's layer has no entry for the root directory; everything else must match field by field.
        TarDiff.AssertSame(fixture.Where(record => record.Path != ".").ToList(), layer, "rootfs.tar.gz", "docker's layer");
    }

    [Fact]
    public async Task HelloExampleBuildsAndGreetsUnderDocker()
    {
        await using var docker = await Docker.ConnectAsync(Token);
        var tag = docker.NewTag("hello-example");
        await docker.BuildLegacyAsync(RepositoryPaths.Example("hello"), tag, Token);

        var run = await docker.RunAsync(tag, [], Token);

        Assert.Equal("Hello from a FROM scratch image!\n", run.EnsureSuccess().StandardOutput);
    }

    private sealed record SavedImage(string Tag, string ImageId, string RootfsArchive, string Archive);

    /// <summary>Legacy-builds the busybox fixture (FROM scratch, ADD rootfs.tar.gz) and <c>docker save</c>s it.</summary>
    private static async Task<SavedImage> BuildAndSaveBusyboxAsync(Docker docker, TempDir temp)
    {
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Token);
        var tag = docker.NewTag("busybox");
        var imageId = await docker.BuildLegacyAsync(context, tag, Token);
        var archive = temp.Combine("saved.tar");
        await docker.SaveAsync(tag, archive, Token);
        return new SavedImage(tag, imageId, Path.Combine(context, ScratchContext.ArchiveName(TarCompression.Gzip)), archive);
    }
}
