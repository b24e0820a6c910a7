using Tabula.Build;
using Tabula.Tests.Integration.Support;
using Tabula.Transports;

namespace Tabula.Tests.Build;

/// <summary>A build records each layer's sizes as it writes it, so listing images never reads the layer again.</summary>
public class LayerStatsTests
{
    [Fact]
    public async Task BuiltLayersHaveTheirSizesRecordedAndTheyMatchAReadOfTheLayer()
    {
        var ct = TestContext.Current.CancellationToken;
        using var storeDir = new TempDir();
        using var context = new TempDir();
        await File.WriteAllTextAsync(context.Combine("a.txt"), "hello world\n", ct);
        File.CreateSymbolicLink(context.Combine("link"), "a.txt");
        var store = ImageStore.Open(storeDir.Path);
        await new Builder(store).BuildAsync(new BuildOptions
        {
            ContextDirectory = context.Path,
            DockerfileText = "FROM scratch\nCOPY a.txt /dir/\nCOPY . /all/\n",
            Tags = [Tabula.Oci.ImageReference.Parse("stats:1")],
        }, ct);

        var image = await store.LoadAsync(await store.Resolver.ResolveAsync("stats:1", ct), null, ct);
        Assert.Equal(2, image.Layers.Count);
        foreach (var layer in image.Layers)
        {
            var recorded = store.LayerStats.TryGet(layer.Digest);
            Assert.NotNull(recorded);
            // Drop the record: the sizes read back from the layer itself must be the same.
            File.Delete(Path.Combine(storeDir.Path, "tabula", "layer-stats", layer.Digest.Encoded));
            Assert.Equal(recorded, await store.GetLayerStatsAsync(layer, ct));
        }
        Assert.Equal(12 + "a.txt".Length, store.LayerStats.TryGet(image.Layers[1].Digest)!.Value.FilesSize);
    }
}
