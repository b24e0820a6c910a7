using System.Text;
using System.Text.Json;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>Multi-platform images in a registry: platform choice, --platform, --all-platforms, pull by index digest, pushing an index.</summary>
public class RegistryIndexTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Id(RegistryCliSession cli, string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement[0].GetProperty("Id").GetString()!;
    }

    [Fact]
    public async Task PullChoosesThePlatformAndAllPlatformsKeepsTheIndex()
    {
        var skopeo = Requirements.Tool("skopeo");
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var cli = new RegistryCliSession();
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Token);
        var hostId = (await cli.RunCheckedAsync("build", "-q", "--oci-mediatypes", "-t", "busybox-fixture:1", context)).Trim();
        var repository = "multi/busybox";
        await cli.RunCheckedAsync("push", "busybox-fixture:1", $"{registry.Host}/{repository}:host");

        // A second platform: the same layer under a config that says another architecture.
        var other = Platform.Host.Architecture == "arm64" ? "amd64" : "arm64";
        using var client = new RegistryClient(registry.Host);
        var hostManifest = await client.GetManifestAsync(repository, "host", Token);
        var parsed = OciJson.DeserializeManifest(hostManifest.Bytes);
        byte[] hostConfig;
        await using (var stream = await client.OpenBlobAsync(repository, parsed.Config.Digest, parsed.Config.Size, Token))
        {
            var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, Token);
            hostConfig = buffer.ToArray();
        }
        var otherConfig = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(hostConfig).Replace($"\"architecture\":\"{Platform.Host.Architecture}\"", $"\"architecture\":\"{other}\""));
        Assert.NotEqual(hostConfig, otherConfig);
        var otherConfigDigest = Digest.Compute(otherConfig);
        await client.UploadBlobAsync(repository, otherConfigDigest, otherConfig.Length, _ => Task.FromResult<Stream>(new MemoryStream(otherConfig)), null, Token);
        var otherManifest = OciJson.Serialize(parsed with { Config = parsed.Config with { Digest = otherConfigDigest, Size = otherConfig.Length } });
        var otherDigest = await client.PutManifestAsync(repository, Digest.Compute(otherManifest).ToString(), otherManifest, MediaTypes.OciManifest, Token);
        var index = OciJson.Serialize(new ImageIndex
        {
            MediaType = MediaTypes.OciIndex,
            Manifests =
            [
                new Descriptor { MediaType = MediaTypes.OciManifest, Digest = otherDigest, Size = otherManifest.Length, Platform = new Platform { Os = "linux", Architecture = other } },
                hostManifest.Descriptor with { Platform = new Platform { Os = "linux", Architecture = Platform.Host.Architecture } },
            ],
        });
        var indexDigest = await client.PutManifestAsync(repository, "multi", index, MediaTypes.OciIndex, Token);
        var remote = $"{registry.Host}/{repository}:multi";

        using (var host = new RegistryCliSession())
        {
            var pull = await host.RunCheckedAsync("pull", remote);
            Assert.Contains($"Digest: {indexDigest}", pull);
            Assert.Equal(hostId, Id(host, await host.RunCheckedAsync("inspect", remote)));
        }
        using (var chosen = new RegistryCliSession())
        {
            await chosen.RunCheckedAsync("pull", "--platform", $"linux/{other}", remote);
            Assert.Equal(otherConfigDigest.ToString(), Id(chosen, await chosen.RunCheckedAsync("inspect", remote)));
        }
        using (var byDigest = new RegistryCliSession())
        {
            var name = $"{registry.Host}/{repository}@{indexDigest}";
            await byDigest.RunCheckedAsync("pull", name);
            // The index is kept (so the name@digest resolves) with only this platform's content.
            Assert.Contains(indexDigest.Encoded[..12], await byDigest.RunCheckedAsync("images", "--no-trunc"));
            await byDigest.RunCheckedAsync("inspect", name);
        }
        using var all = new RegistryCliSession();
        await all.RunCheckedAsync("pull", "--all-platforms", remote);
        // Pushed elsewhere whole: the index and both manifests.
        var copy = $"{registry.Host}/copied/busybox:multi";
        await all.RunCheckedAsync("push", remote, copy);
        var raw = await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--tls-verify=false", "--raw", $"docker://{copy}"], Token);
        Assert.Equal(index, Encoding.UTF8.GetBytes(raw.StandardOutput.TrimEnd('\n')));
        await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--tls-verify=false", "--override-arch", other, $"docker://{copy}"], Token);
    }
}
