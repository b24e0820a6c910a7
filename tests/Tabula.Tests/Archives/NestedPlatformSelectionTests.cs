using Tabula.Archives;
using Tabula.Oci;

namespace Tabula.Tests.Archives;

/// <summary>Choosing a platform through nested indexes (an index listing indexes), as every reader of an index does.</summary>
public class NestedPlatformSelectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Descriptor Entry(string mediaType, string? platform, string seed) => new()
    {
        MediaType = mediaType,
        Digest = Digest.Compute(System.Text.Encoding.UTF8.GetBytes(seed)),
        Size = 1,
        Platform = platform is null ? null : Platform.Parse(platform),
    };

    [Fact]
    public async Task AManifestOfTheTopIndexIsTakenWithoutReadingNestedOnes()
    {
        var amd = Entry(MediaTypes.OciManifest, "linux/amd64", "amd");
        var nested = Entry(MediaTypes.OciIndex, null, "nested");
        var top = new ImageIndex { Manifests = [nested, amd] };
        var chosen = await PlatformSelection.ChooseAsync(Digest.Compute("top"u8), top, Platform.Parse("linux/amd64"),
            (_, _) => throw new InvalidOperationException("no nested index should be read"), Ct);
        Assert.Equal(amd, chosen);
    }

    [Fact]
    public async Task APlatformOnlyInANestedIndexIsFoundThereAndTheNamingOneIsSearchedFirst()
    {
        var arm = Entry(MediaTypes.OciManifest, "linux/arm64", "arm");
        var armElsewhere = Entry(MediaTypes.OciManifest, "linux/arm64", "arm-other");
        var first = Entry(MediaTypes.OciIndex, "linux/amd64", "first");
        var second = Entry(MediaTypes.OciIndex, "linux/arm64", "second");
        var nested = new Dictionary<Digest, ImageIndex>
        {
            [first.Digest] = new() { Manifests = [armElsewhere] },
            [second.Digest] = new() { Manifests = [arm] },
        };
        var read = new List<Digest>();
        var top = new ImageIndex { Manifests = [first, second, Entry(MediaTypes.OciManifest, "linux/amd64", "amd")] };
        var chosen = await PlatformSelection.ChooseAsync(Digest.Compute("top"u8), top, Platform.Parse("linux/arm64"), (d, _) =>
        {
            read.Add(d.Digest);
            return Task.FromResult(nested[d.Digest]);
        }, Ct);
        Assert.Equal(arm, chosen);
        Assert.Equal([second.Digest], read);
    }

    [Fact]
    public async Task APlatformNowhereIsNamedWithWhatTheTopIndexHas()
    {
        var nested = Entry(MediaTypes.OciIndex, null, "nested");
        var top = new ImageIndex { Manifests = [nested, Entry(MediaTypes.OciManifest, "linux/amd64", "amd")] };
        var error = await Assert.ThrowsAsync<PlatformNotFoundException>(() => PlatformSelection.ChooseAsync(Digest.Compute("top"u8), top, Platform.Parse("linux/s390x"),
            (_, _) => Task.FromResult(new ImageIndex { Manifests = [Entry(MediaTypes.OciManifest, "linux/arm64", "arm")] }), Ct));
        Assert.Contains("linux/s390x", error.Message);
    }

    [Fact]
    public async Task NestingWithoutEndIsRefused()
    {
        var self = Entry(MediaTypes.OciIndex, null, "loop");
        var top = new ImageIndex { Manifests = [self] };
        await Assert.ThrowsAsync<InvalidDataException>(() => PlatformSelection.ChooseAsync(Digest.Compute("top"u8), top, Platform.Parse("linux/amd64"),
            (_, _) => Task.FromResult(top), Ct));
    }
}
