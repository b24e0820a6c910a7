using System.Text.Json;
using Tabula.Oci;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>skopeo and umoci, which know the OCI formats and docker-archive well, read what Tabula writes.</summary>
public sealed class OciToolsTests
{
    private const string Tag = "busybox-fixture:latest";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SkopeoReadsAndCopiesTheOciArchiveAndUmociUnpacksTheCopy()
    {
        Requirements.Root();
        var skopeo = Requirements.Tool("skopeo");
        var umoci = Requirements.Tool("umoci");
        using var temp = new TempDir("oci-tools");
        var tabula = await BuildBusyboxAsync(temp);
        var (descriptor, manifest) = await tabula.ReadManifestAsync(Tag, Token);
        var archive = await tabula.SaveAsync(Tag, temp.Combine("image.oci.tar"), "oci-archive", Token);

        var inspect = await InspectAsync(skopeo, "oci-archive:" + archive);
        Assert.Equal(descriptor.Digest.ToString(), inspect.GetProperty("Digest").GetString());
        Assert.Equal(manifest.Layers.Select(layer => layer.Digest.ToString()), Strings(inspect.GetProperty("Layers")));
        Assert.Equal((await ReadConfigAsync(tabula)).Architecture, inspect.GetProperty("Architecture").GetString());

        var layout = temp.Combine("layout");
        await ProcessRunner.RunCheckedAsync(skopeo, ["copy", "oci-archive:" + archive, $"oci:{layout}:copied"], Token);
        var tags = await ProcessRunner.RunCheckedAsync(umoci, ["ls", "--layout", layout], Token);
        Assert.Equal("copied\n", tags.StandardOutput);

        var bundle = temp.Combine("bundle");
        await ProcessRunner.RunCheckedAsync(umoci, ["unpack", "--image", layout + ":copied", bundle], Token);
        var busybox = Path.Combine(bundle, "rootfs", "bin", "busybox");
        Assert.True(File.Exists(busybox), "umoci unpacked no bin/busybox");
        Assert.Equal(await File.ReadAllBytesAsync(BusyboxRootfs.BusyboxPath, Token), await File.ReadAllBytesAsync(busybox, Token));
        Assert.Equal("busybox", new FileInfo(Path.Combine(bundle, "rootfs", "bin", "sh")).LinkTarget);
    }

    [Fact]
    public async Task SkopeoReadsTheLegacyDockerArchive()
    {
        var skopeo = Requirements.Tool("skopeo");
        using var temp = new TempDir("skopeo-docker-archive");
        var tabula = await BuildBusyboxAsync(temp);
        var config = await ReadConfigAsync(tabula);
        var archive = await tabula.SaveAsync(Tag, temp.Combine("image.tar"), "docker", Token);

        var inspect = await InspectAsync(skopeo, "docker-archive:" + archive);
        // skopeo finds the image by the name manifest.json gives it.
        var byName = await InspectAsync(skopeo, $"docker-archive:{archive}:{Tag}");

        // skopeo makes a manifest of the uncompressed layer.tar files, so its layers are the diff IDs.
        Assert.Equal(config.RootFs.DiffIds.Select(diffId => diffId.ToString()), Strings(inspect.GetProperty("Layers")));
        Assert.Equal("linux", inspect.GetProperty("Os").GetString());
        Assert.Equal(inspect.GetProperty("Digest").GetString(), byName.GetProperty("Digest").GetString());
    }

    [Fact]
    public async Task SkopeoAndUmociReadAnImageWithOciMediaTypesStraightFromTheStore()
    {
        Requirements.Root();
        var skopeo = Requirements.Tool("skopeo");
        var umoci = Requirements.Tool("umoci");
        using var temp = new TempDir("store-oci");
        var tabula = await BuildBusyboxAsync(temp, "busybox-fixture:oci");
        var (descriptor, _) = await tabula.ReadManifestAsync("busybox-fixture:oci", Token);

        // The store's ref.name is the whole name (see OciNativeOutputTests for two images of one tag).
        var inspect = await InspectAsync(skopeo, $"oci:{tabula.StoreRoot}:busybox-fixture:oci");
        var bundle = temp.Combine("bundle");
        await ProcessRunner.RunCheckedAsync(umoci, ["unpack", "--image", tabula.StoreRoot + ":busybox-fixture:oci", bundle], Token);

        Assert.Equal(MediaTypes.OciManifest, descriptor.MediaType);
        Assert.Equal(descriptor.Digest.ToString(), inspect.GetProperty("Digest").GetString());
        Assert.True(File.Exists(Path.Combine(bundle, "rootfs", "bin", "busybox")), "umoci unpacked no bin/busybox");
    }

    /// <summary>
    /// skopeo writes these formats its own way (docker-archive with <c>layer.tar</c> symlinks to <c>DIGEST.tar</c>,
    /// OCI archives with OCI media types and only a tag annotation); tabula loads them back as the same image.
    /// </summary>
    [Theory]
    [InlineData("docker-archive", "copied/busybox:v1", "copied/busybox:v1")]
    [InlineData("oci-archive", "v1", null)]
    public async Task TabulaLoadsWhatSkopeoWroteFromItsArchive(string transport, string destinationName, string? loadedName)
    {
        var skopeo = Requirements.Tool("skopeo");
        using var temp = new TempDir("skopeo-archives");
        // OCI media types (the default), so skopeo copies the image as it is: converting them would rewrite the config.
        var tabula = await BuildBusyboxAsync(temp, Tag);
        var imageId = (await tabula.RunCheckedAsync(["images", "-q", "--no-trunc", Tag], Token)).StandardOutput.Trim();
        var archive = await tabula.SaveAsync(Tag, temp.Combine("image.oci.tar"), "oci-archive", Token);
        var copied = temp.Combine("copied.tar");
        await ProcessRunner.RunCheckedAsync(skopeo, ["copy", "oci-archive:" + archive, $"{transport}:{copied}:{destinationName}"], Token);
        var other = new TabulaCli(temp.Combine("other-store"));

        var load = await other.RunCheckedAsync(["load", "-i", copied], Token);

        // An OCI archive's bare tag annotation names no repository, so the image comes in without a name, as its ID.
        Assert.Equal(loadedName is null ? $"Loaded image ID: {imageId}\n" : $"Loaded image: {loadedName}\n", load.StandardOutput);
        Assert.Equal(imageId + "\n", (await other.RunCheckedAsync(["images", "-q", "--no-trunc"], Token)).StandardOutput);
        var files = await other.RunCheckedAsync(["ls", imageId], Token);
        Assert.Contains(" bin/busybox\n", files.StandardOutput);
    }

    /// <summary>
    /// Converting to OCI media types, skopeo re-encodes the config with Go's encoder. The image ID survives
    /// only because Tabula writes the config as Go does (<c>\"</c> and a plain '+', not System.Text.Json's default
    /// <c>\u0022</c> and <c>\u002B</c>): the fields, their order and their escaping all stay.
    /// </summary>
    [Fact]
    public async Task SkopeoConvertingToOciMediaTypesKeepsTheImageId()
    {
        var skopeo = Requirements.Tool("skopeo");
        using var temp = new TempDir("skopeo-convert");
        // Docker media types, kept in the archive, so that skopeo converts them.
        var tabula = await BuildBusyboxAsync(temp, Tag, "--oci-mediatypes=false");
        var imageId = (await tabula.RunCheckedAsync(["images", "-q", "--no-trunc", Tag], Token)).StandardOutput.Trim();
        var archive = temp.Combine("image.oci.tar");
        await tabula.RunCheckedAsync(["save", "--preserve-digests", "--format", "oci-archive", "-o", archive, Tag], Token);
        Assert.Contains(MediaTypes.DockerManifest, (await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--raw", "oci-archive:" + archive], Token)).StandardOutput);
        var converted = temp.Combine("converted.oci.tar");

        await ProcessRunner.RunCheckedAsync(skopeo, ["copy", "oci-archive:" + archive, $"oci-archive:{converted}:converted"], Token);

        var manifest = await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--raw", "oci-archive:" + converted], Token);
        var config = JsonDocument.Parse(manifest.StandardOutput).RootElement.GetProperty("config");
        Assert.Equal(MediaTypes.OciConfig, config.GetProperty("mediaType").GetString());
        var goConfig = await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--config", "--raw", "oci-archive:" + converted], Token);
        Assert.True(imageId == config.GetProperty("digest").GetString(),
            $"skopeo's conversion changed the image ID from {imageId} to {config.GetProperty("digest").GetString()}; "
            + $"Go encodes the config as\n{goConfig.StandardOutput}");
    }

    private static async Task<TabulaCli> BuildBusyboxAsync(TempDir temp, string tag = Tag, params string[] buildOptions)
    {
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Token);
        var tabula = new TabulaCli(temp.Combine("store"));
        await tabula.BuildAsync(context, tag, Token, buildOptions);
        return tabula;
    }

    private static async Task<ImageConfig> ReadConfigAsync(TabulaCli tabula)
    {
        var (_, manifest) = await tabula.ReadManifestAsync(Tag, Token);
        return OciJson.DeserializeConfig(await File.ReadAllBytesAsync(tabula.BlobPath(manifest.Config.Digest), Token));
    }

    private static async Task<JsonElement> InspectAsync(string skopeo, string location)
    {
        var result = await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", location], Token);
        return JsonDocument.Parse(result.StandardOutput).RootElement;
    }

    private static IEnumerable<string?> Strings(JsonElement array) => array.EnumerateArray().Select(item => item.GetString());
}
