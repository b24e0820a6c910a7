using Tabula.Archives;
using Tabula.Oci;

namespace Tabula.Tests.Archives;

public class PlatformNotFoundTests
{
    private static Descriptor Entry(string mediaType, string platform) => new()
    {
        MediaType = mediaType,
        Digest = Digest.Compute(System.Text.Encoding.UTF8.GetBytes(platform + mediaType)),
        Size = 1,
        Platform = Platform.Parse(platform),
    };

    [Fact]
    public void AnEntryForThePlatformThatIsNoManifestIsNamedAsSuch()
    {
        var index = new ImageIndex { Manifests = [Entry(MediaTypes.OciIndex, "linux/amd64")] };
        var wanted = Platform.Parse("linux/amd64");
        Assert.Null(PlatformSelection.Choose(index, wanted));
        var message = new PlatformNotFoundException(Digest.Compute("i"u8), wanted, index).Message;
        Assert.Contains("not an image manifest", message);
        Assert.DoesNotContain("it has: linux/amd64", message);
    }

    [Fact]
    public void AMissingPlatformListsTheOthers()
    {
        var index = new ImageIndex { Manifests = [Entry(MediaTypes.OciManifest, "linux/arm64")] };
        var message = new PlatformNotFoundException(Digest.Compute("i"u8), Platform.Parse("linux/amd64"), index).Message;
        Assert.Contains("it has: linux/arm64", message);
    }
}
