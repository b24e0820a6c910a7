using Tabula.Content;
using Tabula.Oci;

namespace Tabula.Tests.Content;

/// <summary>A new store is a complete OCI layout before its first blob, and opening never replaces an index.</summary>
public sealed class StoreCreationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("tabula-store-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task OpeningANewStoreWritesAnEmptyIndexFirst()
    {
        var store = ContentStore.Open(Path.Combine(_root, "new"));
        var index = OciJson.DeserializeIndex(await File.ReadAllBytesAsync(Path.Combine(store.Root, "index.json"), TestContext.Current.CancellationToken));
        Assert.Empty(index.Manifests);
        Assert.Equal(MediaTypes.OciIndex, index.MediaType);
        Assert.True(File.Exists(Path.Combine(store.Root, "oci-layout")));
        Assert.Empty(Directory.GetFiles(store.Root, "*.tmp"));
    }

    [Fact]
    public async Task OpeningAgainKeepsTheNames()
    {
        var store = ContentStore.Open(Path.Combine(_root, "named"));
        var references = new ReferenceStore(store);
        var manifest = new Descriptor { MediaType = MediaTypes.OciManifest, Digest = Digest.Compute("x"u8), Size = 1 };
        await references.TagAsync(ImageReference.Parse("kept:1"), manifest, TestContext.Current.CancellationToken);
        var again = ContentStore.Open(store.Root);
        Assert.Single(await new ReferenceStore(again).ListAsync(TestContext.Current.CancellationToken));
    }
}
