using Tabula.Archives;
using Tabula.Content;

namespace Tabula.Tests.Archives;

public sealed class SaveSelectionTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ArchiveFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private async Task<IReadOnlyList<StoredImage>> SelectAsync(params string[] arguments)
        => await SaveSelection.SelectAsync(new ImageResolver(_fixture.Store, _fixture.References), arguments, Ct);

    [Fact]
    public async Task SelectsAsDockerSaveDoes()
    {
        var files = new Dictionary<string, string> { ["f"] = "1" };
        await _fixture.AddImageAsync(["app:1", "app:2", "other:1"], "one", files);
        await _fixture.AddImageAsync(["app:3"], "three", files);

        var tagged = Assert.Single(await SelectAsync("app:1"));
        Assert.Equal(["app:1"], tagged.Names.Select(n => n.ToFamiliarString()));

        var repository = await SelectAsync("app");
        Assert.Equal(["app:1", "app:2", "app:3"], repository.SelectMany(i => i.Names).Select(n => n.ToFamiliarString()).Order());
        Assert.Equal(2, repository.Count);

        var merged = Assert.Single(await SelectAsync("app:1", "other:1", "app:1"));
        Assert.Equal(["app:1", "other:1"], merged.Names.Select(n => n.ToFamiliarString()));

        var byId = Assert.Single(await SelectAsync(tagged.Id.Encoded[..12]));
        Assert.Empty(byId.Names);

        await Assert.ThrowsAsync<ImageNotFoundException>(() => SelectAsync("missing:1"));
    }
}
