using Tabula.Oci;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// Same Dockerfile, same context, same epoch ⇒ same image, built into separate empty stores from separately
/// written contexts. The busybox archive has a root entry, so its layer is written by Tabula (the normal path).
/// </summary>
public sealed class ReproducibilityTests
{
    /// <summary>Before the fixture's mtimes, so the clamp changes every entry's time.</summary>
    private const long Epoch = 1_600_000_000;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string> EpochSources => ["--timestamp", "SOURCE_DATE_EPOCH"];

    [Theory]
    [MemberData(nameof(EpochSources))]
    public async Task SameEpochGivesTheSameImageIdAndManifestDigest(string epochSource)
    {
        using var temp = new TempDir("reproducible");
        var first = await BuildAsync(temp, "first", epochSource);
        var second = await BuildAsync(temp, "second", epochSource);

        Assert.Equal(first.ImageId, second.ImageId);
        Assert.Equal(first.Manifest.Digest, second.Manifest.Digest);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(Epoch), first.Config.Created);
        Assert.All(first.Config.History!, entry => Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(Epoch), entry.Created));
        var layer = await TarListing.ReadFileAsync(first.Store.BlobPath(Assert.Single(first.Layers)), Token);
        Assert.All(layer, entry => Assert.Equal(Epoch, entry.ModifiedUnixSeconds));
    }

    [Fact]
    public async Task WithoutAnEpochTheLayersAreStillTheSame()
    {
        using var temp = new TempDir("reproducible-layers");
        var first = await BuildAsync(temp, "first", epochSource: null);
        var second = await BuildAsync(temp, "second", epochSource: null);

        Assert.Equal(first.Layers, second.Layers);
        Assert.Equal(first.Config.RootFs.DiffIds, second.Config.RootFs.DiffIds);
    }

    private sealed record Built(TabulaCli Store, string ImageId, Descriptor Manifest, IReadOnlyList<Digest> Layers, ImageConfig Config);

    /// <summary>Writes the fixture and context under <paramref name="name"/> and builds into a new store there.</summary>
    private static async Task<Built> BuildAsync(TempDir temp, string name, string? epochSource)
    {
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine(name, "rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine(name, "context"), rootfs, TarCompression.Gzip, Token);
        var tabula = new TabulaCli(temp.Combine(name, "store"));
        string[] options = [];
        if (epochSource == "SOURCE_DATE_EPOCH")
            tabula.Environment["SOURCE_DATE_EPOCH"] = Epoch.ToString();
        else if (epochSource is not null)
            options = [epochSource, Epoch.ToString()];

        var imageId = await tabula.BuildAsync(context, "busybox-fixture:latest", Token, options);

        var (descriptor, manifest) = await tabula.ReadManifestAsync("busybox-fixture:latest", Token);
        var config = OciJson.DeserializeConfig(await File.ReadAllBytesAsync(tabula.BlobPath(manifest.Config.Digest), Token));
        return new Built(tabula, imageId, descriptor with { Annotations = null }, manifest.Layers.Select(layer => layer.Digest).ToList(), config);
    }
}
