using System.Text;
using Tabula.Content;
using Tabula.Oci;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Content;

public class ReferenceStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<Descriptor> StoreManifestAsync(ContentStore store, string configText)
    {
        var config = await store.WriteBytesAsync(Encoding.UTF8.GetBytes(configText), Ct);
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = config, Size = configText.Length },
            Layers = [],
        };
        var bytes = OciJson.Serialize(manifest);
        return new Descriptor { MediaType = MediaTypes.OciManifest, Digest = await store.WriteBytesAsync(bytes, Ct), Size = bytes.Length };
    }

    [Fact]
    public async Task RefNamesAreWholeNamesUniqueInTheStoreAndOldBareTagsAreRewrittenByTheNextChange()
    {
        using var dir = new TempDir();
        var content = ContentStore.Open(dir.Path);
        var refs = new ReferenceStore(content);
        var first = await StoreManifestAsync(content, "{\"a\":1}");
        var second = await StoreManifestAsync(content, "{\"a\":2}");
        // As stores were written before: the bare tag, the same for every "latest".
        await refs.UpdateAsync(entries => entries.Add(first
            .WithAnnotation(AnnotationKeys.ContainerdImageName, "docker.io/library/old:latest")
            .WithAnnotation(AnnotationKeys.RefName, "latest")), Ct);

        await refs.TagAsync(ImageReference.Parse("localhost:5000/team/app"), second, Ct);
        await refs.TagAsync(ImageReference.Parse("app:latest"), second, Ct);

        var refNames = (await refs.ListAsync(Ct)).Select(e => e.Annotation(AnnotationKeys.RefName)).ToList();
        Assert.Equal(["old:latest", "localhost:5000/team/app:latest", "app:latest"], refNames);
    }

    [Fact]
    public async Task TaggingAnImageAgainKeepsItsPlaceAndLeavesIndexJsonAsItWas()
    {
        using var dir = new TempDir();
        var content = ContentStore.Open(dir.Path);
        var refs = new ReferenceStore(content);
        var first = await StoreManifestAsync(content, "{\"a\":1}");
        var second = await StoreManifestAsync(content, "{\"a\":2}");
        await refs.TagAsync(ImageReference.Parse("app:1"), first, Ct);
        await refs.TagAsync(ImageReference.Parse("app:2"), second, Ct);
        var index = Path.Combine(dir.Path, "index.json");
        var before = File.ReadAllBytes(index);
        // A replacement is a rename of a new file: an untouched index.json keeps its inode.
        var inode = Tabula.Layers.Posix.Lstat(index)!.Inode;

        await refs.TagAsync(ImageReference.Parse("app:1"), first, Ct);

        Assert.Equal(before, File.ReadAllBytes(index));
        Assert.Equal(inode, Tabula.Layers.Posix.Lstat(index)!.Inode);
        Assert.Equal(["app:1", "app:2"], (await refs.ListAsync(Ct)).Select(e => e.Annotation(AnnotationKeys.RefName)).ToList());

        // A real change still replaces it.
        await refs.TagAsync(ImageReference.Parse("app:1"), second, Ct);
        Assert.NotEqual(before, File.ReadAllBytes(index));
    }

    [Fact]
    public async Task TagsAreAnnotatedAsContainerdDoesAndMovedTagsLeaveDanglingImages()
    {
        using var dir = new TempDir();
        var content = ContentStore.Open(dir.Path);
        var refs = new ReferenceStore(content);
        var first = await StoreManifestAsync(content, "{\"a\":1}");
        var second = await StoreManifestAsync(content, "{\"a\":2}");
        var name = ImageReference.Parse("app:1");

        await refs.TagAsync(name, first, Ct);
        var entry = Assert.Single(await refs.ListAsync(Ct));
        Assert.Equal("docker.io/library/app:1", entry.Annotation(AnnotationKeys.ContainerdImageName));
        // The whole name, not the bare tag: every image's "latest" would be the same tag to umoci and skopeo.
        Assert.Equal("app:1", entry.Annotation(AnnotationKeys.RefName));

        await refs.TagAsync(name, second, Ct);
        var resolver = new ImageResolver(content, refs);
        var images = await resolver.ListAsync(Ct);
        Assert.Equal(2, images.Count);
        Assert.Empty(images.Single(i => i.Manifest.Digest == first.Digest).Names);
        Assert.Equal(name, images.Single(i => i.Manifest.Digest == second.Digest).Names.Single());
    }

    [Fact]
    public async Task ResolvesByNameIdPrefixAndDigest()
    {
        using var dir = new TempDir();
        var content = ContentStore.Open(dir.Path);
        var refs = new ReferenceStore(content);
        var manifest = await StoreManifestAsync(content, "{}");
        await refs.TagAsync(ImageReference.Parse("localhost:5000/team/app:v2"), manifest, Ct);
        var resolver = new ImageResolver(content, refs);
        var image = await resolver.ResolveAsync("localhost:5000/team/app:v2", Ct);
        Assert.Equal(manifest.Digest, image.Manifest.Digest);
        Assert.Equal(image.Manifest.Digest, (await resolver.ResolveAsync(image.Id.Short, Ct)).Manifest.Digest);
        Assert.Equal(image.Manifest.Digest, (await resolver.ResolveAsync(image.Id.ToString(), Ct)).Manifest.Digest);
        Assert.Equal(image.Manifest.Digest, (await resolver.ResolveAsync($"localhost:5000/team/app@{manifest.Digest}", Ct)).Manifest.Digest);
        await Assert.ThrowsAsync<ImageNotFoundException>(() => resolver.ResolveAsync("other", Ct));
    }

    [Fact]
    public async Task GarbageCollectionKeepsWhatIsNamedAndRemovesTheRest()
    {
        using var dir = new TempDir();
        var content = ContentStore.Open(dir.Path);
        var refs = new ReferenceStore(content);
        var kept = await StoreManifestAsync(content, "{\"kept\":1}");
        var dropped = await StoreManifestAsync(content, "{\"dropped\":1}");
        await refs.TagAsync(ImageReference.Parse("kept"), kept, Ct);
        var result = await new GarbageCollector(content, refs).CollectAsync(Ct);
        Assert.Equal(2, result.BlobsRemoved);
        Assert.True(content.Exists(kept.Digest));
        Assert.False(content.Exists(dropped.Digest));
        Assert.Equal(2, Directory.EnumerateFiles(dir.Combine("blobs", "sha256")).Count());
    }
}
