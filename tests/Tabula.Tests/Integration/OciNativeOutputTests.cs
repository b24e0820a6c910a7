using System.Text.Json;
using Tabula.Oci;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// What Tabula puts in OCI layouts and archives is what strict OCI tools take: oci-image-tool validates it, umoci unpacks
/// it, skopeo finds it by its tag; a Docker-media-type image gets OCI media types on the way in, as skopeo converts it.
/// </summary>
public sealed class OciNativeOutputTests
{
    private const string Tag = "busybox-fixture:latest";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_default_builds_archive_layout_and_oci_output_validate_and_unpack_with_umoci_as_root_and_rootless()
    {
        Requirements.Root();
        var validator = Requirements.Tool("oci-image-tool");
        var umoci = Requirements.Tool("umoci");
        var skopeo = Requirements.Tool("skopeo");
        using var temp = new TempDir("oci-native");
        var (tabula, context) = await BusyboxAsync(temp);
        await tabula.BuildAsync(context, Tag, Token);
        var (stored, _) = await tabula.ReadManifestAsync(Tag, Token);
        var archive = await tabula.SaveAsync(Tag, temp.Combine("image.oci.tar"), "oci-archive", Token);
        var layout = temp.Combine("layout");
        await tabula.RunCheckedAsync(["copy", "store:" + Tag, $"oci:{layout}:v1"], Token);
        var output = temp.Combine("output.oci.tar");
        await tabula.BuildAsync(context, null, Token, "-o", $"type=oci,dest={output}");

        Assert.Equal(MediaTypes.OciManifest, stored.MediaType);
        await ValidateAsync(validator, layout);
        await ValidateArchiveAsync(validator, archive, temp);
        await ValidateArchiveAsync(validator, output, temp);
        var inspect = JsonDocument.Parse((await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", $"oci:{layout}:v1"], Token)).StandardOutput).RootElement;
        Assert.Equal(stored.Digest.ToString(), inspect.GetProperty("Digest").GetString());
        foreach (var rootless in new[] { false, true })
        {
            var bundle = temp.Combine(rootless ? "bundle-rootless" : "bundle");
            List<string> unpack = rootless ? ["unpack", "--rootless"] : ["unpack"];
            await ProcessRunner.RunCheckedAsync(umoci, [.. unpack, "--image", layout + ":v1", bundle], Token);
            Assert.Equal(await File.ReadAllBytesAsync(BusyboxRootfs.BusyboxPath, Token), await File.ReadAllBytesAsync(Path.Combine(bundle, "rootfs", "bin", "busybox"), Token));
        }
    }

    /// <summary>
    /// An image with Docker media types, pulled from a registry into an OCI layout by tabula and by skopeo: the same
    /// manifest bytes (so the same new digest), the config untouched; <c>--preserve-digests</c> keeps the registry's.
    /// </summary>
    [Fact]
    public async Task A_docker_media_type_image_copied_to_an_oci_layout_gets_the_manifest_skopeo_writes_and_preserve_digests_keeps_its_own()
    {
        var validator = Requirements.Tool("oci-image-tool");
        var skopeo = Requirements.Tool("skopeo");
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir("oci-convert");
        var (tabula, context) = await BusyboxAsync(temp);
        await tabula.BuildAsync(context, Tag, Token, "--oci-mediatypes=false");
        var (stored, manifest) = await tabula.ReadManifestAsync(Tag, Token);
        var remote = $"docker://{registry.Host}/convert/busybox:1";
        await tabula.RunCheckedAsync(["push", Tag, remote["docker://".Length..]], Token);
        string ours = temp.Combine("ours"), skopeos = temp.Combine("skopeo"), kept = temp.Combine("kept"), archive = temp.Combine("ours.oci.tar");

        await tabula.RunCheckedAsync(["copy", remote, $"oci:{ours}:v1"], Token);
        await tabula.RunCheckedAsync(["copy", remote, $"oci-archive:{archive}:v1"], Token);
        await ProcessRunner.RunCheckedAsync(skopeo, ["copy", "--src-tls-verify=false", remote, $"oci:{skopeos}:v1"], Token);
        await tabula.RunCheckedAsync(["copy", "--preserve-digests", remote, $"oci:{kept}:v1"], Token);

        Assert.Equal(MediaTypes.DockerManifest, stored.MediaType);
        var converted = await RawManifestAsync(skopeo, $"oci:{ours}:v1");
        Assert.Equal(await RawManifestAsync(skopeo, $"oci:{skopeos}:v1"), converted);
        var parsed = OciJson.DeserializeManifest(System.Text.Encoding.UTF8.GetBytes(converted));
        Assert.Equal(MediaTypes.OciManifest, parsed.MediaType);
        Assert.Equal(MediaTypes.OciConfig, parsed.Config.MediaType);
        Assert.All(parsed.Layers, l => Assert.Equal(MediaTypes.OciLayerGzip, l.MediaType));
        Assert.Equal(manifest.Config.Digest, parsed.Config.Digest);
        Assert.NotEqual(stored.Digest, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(converted)));
        Assert.Equal(converted, await RawManifestAsync(skopeo, $"oci-archive:{archive}:v1"));
        await ValidateAsync(validator, ours);
        await ValidateArchiveAsync(validator, archive, temp);
        // skopeo 1.9 reads only OCI manifests from a layout, so the kept one is read from its index.
        var keptEntry = Assert.Single(OciJson.DeserializeIndex(await File.ReadAllBytesAsync(Path.Combine(kept, "index.json"), Token)).Manifests);
        Assert.Equal(stored.Digest, keptEntry.Digest);
        Assert.Equal(MediaTypes.DockerManifest, keptEntry.MediaType);
    }

    [Fact]
    public async Task Preserve_digests_is_refused_in_one_line_where_the_manifest_cannot_be_kept()
    {
        using var temp = new TempDir("oci-preserve");
        var (tabula, context) = await BusyboxAsync(temp);
        // Uncompressed layers, which a registry gets gzip-compressed under a new manifest.
        await tabula.BuildAsync(context, Tag, Token, "--compression", "none");

        var archive = await tabula.RunAsync(["copy", "--preserve-digests", "store:" + Tag, $"docker-archive:{temp.Combine("image.tar")}"], Token);
        var save = await tabula.RunAsync(["save", "--preserve-digests", "-o", temp.Combine("saved.tar"), Tag], Token);
        // Refused before the registry (nothing listens there) or the daemon is contacted.
        var registry = await tabula.RunAsync(["copy", "--preserve-digests", "store:" + Tag, "docker://127.0.0.1:9/preserve/busybox:1"], Token);
        var daemon = await tabula.RunAsync(["copy", "--preserve-digests", "store:" + Tag, "docker-daemon:preserve/busybox:1"], Token);

        foreach (var (result, reason) in new[] { (archive, "a docker-archive holds no manifest"), (save, "a docker-archive holds no manifest"),
            (registry, "the image has uncompressed layers"), (daemon, "docker load keeps no manifest") })
        {
            Assert.Equal(1, result.ExitCode);
            Assert.StartsWith("Error: --preserve-digests: " + reason, result.StandardError);
            Assert.Single(result.StandardError.TrimEnd('\n').Split('\n'));
        }
        Assert.False(File.Exists(temp.Combine("image.tar")));
        Assert.False(File.Exists(temp.Combine("saved.tar")));
    }

    /// <summary>
    /// The store's index.json names each image by its whole name, so two images both tagged <c>latest</c> are two
    /// names to umoci and skopeo, and oci-image-tool takes the store as a layout.
    /// </summary>
    [Fact]
    public async Task Umoci_skopeo_and_oci_image_tool_address_an_image_in_the_store_by_its_name()
    {
        var validator = Requirements.Tool("oci-image-tool");
        var umoci = Requirements.Tool("umoci");
        var skopeo = Requirements.Tool("skopeo");
        using var temp = new TempDir("oci-store");
        var (tabula, context) = await BusyboxAsync(temp);
        await tabula.BuildAsync(context, Tag, Token);
        await tabula.BuildAsync(context, "localhost:5000/team/app", Token, "--label", "other=1");
        var (first, _) = await tabula.ReadManifestAsync(Tag, Token);
        var (second, _) = await tabula.ReadManifestAsync("localhost:5000/team/app:latest", Token);

        var tags = await ProcessRunner.RunCheckedAsync(umoci, ["ls", "--layout", tabula.StoreRoot], Token);
        var stat = await ProcessRunner.RunCheckedAsync(umoci, ["stat", "--image", tabula.StoreRoot + ":localhost:5000/team/app:latest"], Token);
        var inspect = JsonDocument.Parse((await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", $"oci:{tabula.StoreRoot}:{Tag}"], Token)).StandardOutput).RootElement;
        var inspectOther = JsonDocument.Parse((await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", $"oci:{tabula.StoreRoot}:localhost:5000/team/app:latest"], Token)).StandardOutput).RootElement;

        Assert.NotEqual(first.Digest, second.Digest);
        Assert.Equal(["busybox-fixture:latest", "localhost:5000/team/app:latest"], tags.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Contains("LAYER", stat.StandardOutput);
        Assert.Equal(first.Digest.ToString(), inspect.GetProperty("Digest").GetString());
        Assert.Equal(second.Digest.ToString(), inspectOther.GetProperty("Digest").GetString());
        await ValidateAsync(validator, tabula.StoreRoot, "--ref", "name=" + Tag);
        var bundle = temp.Combine("bundle");
        await ProcessRunner.RunCheckedAsync(umoci, ["unpack", "--rootless", "--image", $"{tabula.StoreRoot}:{Tag}", bundle], Token);
        Assert.True(File.Exists(Path.Combine(bundle, "rootfs", "bin", "busybox")), "umoci unpacked no bin/busybox from the store");
    }

    private static async Task<(TabulaCli Tabula, string Context)> BusyboxAsync(TempDir temp)
    {
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Token);
        var tabula = new TabulaCli(temp.Combine("store"));
        tabula.Environment["SOURCE_DATE_EPOCH"] = "1700000000";
        return (tabula, context);
    }

    private static async Task ValidateAsync(string validator, string layout, params string[] options)
    {
        var result = await ProcessRunner.RunCheckedAsync(validator, ["validate", "--type", "image", .. options, layout], Token);
        Assert.Contains("Validation succeeded", result.StandardOutput);
    }

    /// <summary>
    /// oci-image-tool 1.0.0-rc1 fails on every tar (its own bug, opencontainers/image-tools#205: "find failed: unable to
    /// walk: end of walk", skopeo's archives too), so an archive is validated as the layout it unpacks to.
    /// </summary>
    private static async Task ValidateArchiveAsync(string validator, string archive, TempDir temp)
    {
        var unpacked = temp.Combine(Path.GetFileName(archive) + ".unpacked");
        Directory.CreateDirectory(unpacked);
        await ProcessRunner.RunCheckedAsync(Requirements.Tool("tar"), ["-C", unpacked, "-xf", archive], Token);
        await ValidateAsync(validator, unpacked);
    }

    private static async Task<string> RawManifestAsync(string skopeo, string location)
        => (await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--raw", location], Token)).StandardOutput;
}
