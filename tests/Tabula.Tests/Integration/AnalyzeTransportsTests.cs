using System.Text.Json;
using Tabula.Tests.Analysis;
using Tabula.Tests.Archives;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// <c>analyze</c> and <c>diff</c> read images where they are: a docker-archive file and a real distribution registry
/// (layers streamed, never stored) give the same figures as the store, and the store is not touched (not even created).
/// </summary>
public class AnalyzeTransportsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<(int Code, string Out, string Err)> CliAsync(string root, params string[] args) => InProcessCli.RunAsync(root, args, Ct);

    private static async Task AssertWastefulFiguresAsync(string root, string image)
    {
        var (code, output, error) = await CliAsync(root, "analyze", "--format", "json", image);
        Assert.True(code == 0, $"analyze {image}: {error}");
        using var json = JsonDocument.Parse(output);
        Assert.Equal(5800, json.RootElement.GetProperty("wastedBytes").GetInt64());
        Assert.Equal(540.0 / 6240, json.RootElement.GetProperty("efficiency").GetDouble(), 12);
        Assert.Equal(300, json.RootElement.GetProperty("duplicateBytes").GetInt64());
        Assert.Equal("RUN step three # buildkit", json.RootElement.GetProperty("layers")[2].GetProperty("createdBy").GetString());
    }

    [Fact]
    public async Task A_docker_archive_is_analyzed_and_diffed_without_a_store()
    {
        using var fixture = new ArchiveFixture();
        await ImageAnalyzerTests.AddWastefulImageAsync(fixture);
        var archive = fixture.PathFor("wasteful.tar");
        var (saved, _, saveError) = await CliAsync(fixture.Store.Root, "save", "-o", archive, "wasteful:1");
        Assert.True(saved == 0, saveError);
        var untouched = fixture.PathFor("no-store");

        await AssertWastefulFiguresAsync(untouched, "docker-archive:" + archive);
        var (code, output, error) = await CliAsync(untouched, "diff", "docker-archive:" + archive, "docker-archive:" + archive);
        Assert.True(code == 0, error);
        Assert.Equal("0 added, 0 removed, 0 changed", output.Trim());

        Assert.False(Directory.Exists(untouched), "analyze and diff of an archive created a store");
    }

    [Fact]
    public async Task An_image_in_a_registry_is_streamed_not_stored()
    {
        Requirements.Tool("docker-registry");
        await using var registry = await RegistryServer.StartAsync(Ct);
        using var fixture = new ArchiveFixture();
        await ImageAnalyzerTests.AddWastefulImageAsync(fixture);
        var remote = $"{registry.Host}/analysis/wasteful:1";
        var (pushed, _, pushError) = await CliAsync(fixture.Store.Root, "push", "-q", "wasteful:1", remote);
        Assert.True(pushed == 0, pushError);
        var snapshot = StoreSnapshot.Take(fixture.Store.Root);
        var untouched = fixture.PathFor("no-store");

        await AssertWastefulFiguresAsync(untouched, "docker://" + remote);
        // Against the store's copy of the same image: nothing differs.
        var (code, output, error) = await CliAsync(fixture.Store.Root, "diff", "wasteful:1", "docker://" + remote);
        Assert.True(code == 0, error);
        Assert.Equal("0 added, 0 removed, 0 changed", output.Trim());

        Assert.False(Directory.Exists(untouched), "analyze of a registry image created a store");
        snapshot.AssertKept(noNewBlobs: true);
    }
}
