using Tabula.Oci;

namespace Tabula.Tests.Oci;

/// <summary>The index model behind <c>tabula manifest</c>: create, add, annotate, remove, and the bytes an index is named by.</summary>
public class ImageIndexEditsTests
{
    private static Descriptor Manifest(char fill, string platform) => new()
    {
        MediaType = MediaTypes.OciManifest,
        Digest = new Digest(Digest.Sha256, new string(fill, 64)),
        Size = 100 + fill,
        Platform = Platform.Parse(platform),
    };

    [Fact]
    public void CreateListsEntriesInOrderAsAnOciIndex()
    {
        var amd = Manifest('a', "linux/amd64");
        var arm = Manifest('b', "linux/arm64");
        var index = ImageIndexEdits.Create([amd, arm]);
        Assert.Equal(MediaTypes.OciIndex, index.MediaType);
        Assert.Equal(2, index.SchemaVersion);
        Assert.Equal([amd, arm], index.Manifests);
        Assert.Null(index.Annotations);
    }

    [Fact]
    public void AddingTheSameDigestAgainReplacesItsEntryInPlace()
    {
        var amd = Manifest('a', "linux/amd64");
        var arm = Manifest('b', "linux/arm64");
        var index = ImageIndexEdits.Create([amd, arm]).WithManifest(amd with { Platform = Platform.Parse("linux/amd64/v3") });
        Assert.Equal(2, index.Manifests.Count);
        Assert.Equal("v3", index.Manifests[0].Platform!.Variant);
        Assert.Equal(arm, index.Manifests[1]);
    }

    [Fact]
    public void ALayerIsNoEntry()
    {
        var layer = Manifest('c', "linux/amd64") with { MediaType = MediaTypes.OciLayerGzip };
        Assert.Throws<ArgumentException>(() => ImageIndexEdits.Create([layer]));
    }

    [Fact]
    public void RemoveTakesOutOneEntryAndNamesWhatIsLeftWhenTheDigestIsNotListed()
    {
        var amd = Manifest('a', "linux/amd64");
        var arm = Manifest('b', "linux/arm64");
        var index = ImageIndexEdits.Create([amd, arm]).WithoutManifest(amd.Digest);
        Assert.Equal([arm], index.Manifests);
        var missing = Assert.Throws<IndexEntryNotFoundException>(() => index.WithoutManifest(amd.Digest));
        Assert.Contains(arm.Digest.ToString(), missing.Message);
        Assert.Contains("linux/arm64", missing.Message);
    }

    [Fact]
    public void AnnotateMergesIntoTheEntryOrTheIndexAndMaySetThePlatform()
    {
        var amd = Manifest('a', "linux/amd64").WithAnnotation("keep", "1").WithAnnotation("k", "old");
        var arm = Manifest('b', "linux/arm64");
        var index = ImageIndexEdits.Create([amd, arm])
            .Annotate(amd.Digest, new Dictionary<string, string> { ["k"] = "new" }, Platform.Parse("linux/amd64/v2"))
            .Annotate(null, new Dictionary<string, string> { ["org.opencontainers.image.title"] = "app" });
        Assert.Equal("1", index.Manifests[0].Annotation("keep"));
        Assert.Equal("new", index.Manifests[0].Annotation("k"));
        Assert.Equal("v2", index.Manifests[0].Platform!.Variant);
        Assert.Equal(arm, index.Manifests[1]);
        Assert.Equal("app", index.Annotations!["org.opencontainers.image.title"]);
        Assert.Throws<ArgumentException>(() => index.Annotate(null, new Dictionary<string, string>(), Platform.Parse("linux/arm64")));
    }

    [Fact]
    public void AnIndexIsNamedByTheBytesItWasSerialisedToAndReadsBackEqual()
    {
        var index = ImageIndexEdits.Create([Manifest('a', "linux/amd64"), Manifest('b', "linux/arm/v7")]);
        var blob = ManifestBlob.Of(index);
        Assert.True(blob.IsIndex);
        Assert.Equal(Digest.Compute(blob.Bytes), blob.Digest);
        Assert.Equal(blob.Bytes.Length, blob.Descriptor.Size);
        var detected = ManifestBlob.Detect(blob.Bytes);
        Assert.Equal(MediaTypes.OciIndex, detected.MediaType);
        Assert.Equal(index.Manifests, detected.Index.Manifests);
        Assert.Equal("linux/arm/v7", detected.Index.Manifests[1].Platform!.ToString());
    }
}
