using System.Text.Json;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>Pull and push through a real distribution registry on 127.0.0.1, checked with skopeo and docker.</summary>
public class RegistryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Builds the busybox fixture image into the session's store as <paramref name="name"/>; returns its image ID.</summary>
    private static async Task<string> BuildBusyboxAsync(RegistryCliSession cli, TempDir temp, string name)
    {
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Token);
        return (await cli.RunCheckedAsync("build", "-q", "-t", name, context)).Trim();
    }

    private static async Task<string> ImageIdAsync(RegistryCliSession cli, string name)
    {
        var json = await cli.RunCheckedAsync("inspect", name);
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement[0].GetProperty("Id").GetString()!;
    }

    [Fact]
    public async Task PushIsReadBySkopeoAndPullsBackWithTheSameImageId()
    {
        var skopeo = Requirements.Tool("skopeo");
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var cli = new RegistryCliSession();
        var id = await BuildBusyboxAsync(cli, temp, "busybox-fixture:1");
        var remote = $"{registry.Host}/tabula/busybox:1";

        var push = await cli.RunCheckedAsync("push", "busybox-fixture:1", remote);
        Assert.Contains("Pushed", push);
        Assert.Matches(@"1: digest: sha256:[0-9a-f]{64} size: \d+", push);

        var inspect = await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--tls-verify=false", "--raw", $"docker://{remote}"], Token);
        using (var manifest = JsonDocument.Parse(inspect.StandardOutput))
            Assert.Equal(id, manifest.RootElement.GetProperty("config").GetProperty("digest").GetString());

        // Again: everything is there already.
        var again = await cli.RunCheckedAsync("push", "busybox-fixture:1", remote);
        Assert.Contains("Layer already exists", again);
        Assert.DoesNotContain("Pushed", again);

        // To another repository of the same registry, from a name on that registry: mounted, not uploaded.
        await cli.RunCheckedAsync("tag", "busybox-fixture:1", remote);
        var mounted = await cli.RunCheckedAsync("push", remote, $"{registry.Host}/other/busybox:2");
        Assert.Contains("Mounted from tabula/busybox", mounted);

        using var fresh = new RegistryCliSession();
        var pull = await fresh.RunCheckedAsync("pull", remote);
        Assert.Contains("Pull complete", pull);
        Assert.Contains($"Status: Downloaded newer image for {remote}", pull);
        Assert.Equal(id, await ImageIdAsync(fresh, remote));

        var repeat = await fresh.RunCheckedAsync("pull", remote);
        Assert.Contains("Status: Image is up to date", repeat);
        Assert.Equal($"{remote}\n", await fresh.RunCheckedAsync("pull", "-q", remote));
    }

    [Fact]
    public async Task PullByDigestVerifiesAndAWrongDigestFails()
    {
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var cli = new RegistryCliSession();
        var id = await BuildBusyboxAsync(cli, temp, "busybox-fixture:1");
        var remote = $"{registry.Host}/tabula/busybox";
        var push = await cli.RunCheckedAsync("push", "busybox-fixture:1", remote + ":1");
        var digest = System.Text.RegularExpressions.Regex.Match(push, "digest: (sha256:[0-9a-f]{64})").Groups[1].Value;

        using var fresh = new RegistryCliSession();
        await fresh.RunCheckedAsync("pull", $"{remote}@{digest}");
        Assert.Equal(id, await ImageIdAsync(fresh, $"{remote}@{digest}"));

        var missing = "sha256:" + new string('a', 64);
        var (code, _, err) = await fresh.RunAsync("pull", $"{remote}@{missing}");
        Assert.Equal(1, code);
        Assert.Contains("not found", err);
    }

    [Fact]
    public async Task CorruptOrTruncatedBlobFailsAndLeavesTheStoreUnchanged()
    {
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var cli = new RegistryCliSession();
        await BuildBusyboxAsync(cli, temp, "busybox-fixture:1");
        var remote = $"{registry.Host}/tabula/busybox:1";
        await cli.RunCheckedAsync("push", "busybox-fixture:1", remote);
        using var inspect = JsonDocument.Parse(await cli.RunCheckedAsync("inspect", "busybox-fixture:1"));
        var layer = inspect.RootElement[0].GetProperty("RootFS").GetProperty("Layers")[0].GetString()!;
        // The stored blob is the compressed layer: find it by the manifest.
        var blob = Directory.EnumerateFiles(Path.Combine(cli.StoreRoot, "blobs", "sha256"))
            .Where(f => new FileInfo(f).Length < 10_000)
            .Select(f => { try { return JsonDocument.Parse(File.ReadAllBytes(f)); } catch (JsonException) { return null; } })
            .Where(d => d is not null && d.RootElement.ValueKind == JsonValueKind.Object && d.RootElement.TryGetProperty("layers", out _))
            .Select(d => d!.RootElement.GetProperty("layers")[0].GetProperty("digest").GetString()!)
            .First();
        Assert.NotEmpty(blob);
        Assert.NotEqual(layer, blob);
        var data = registry.BlobDataPath(blob);
        var original = await File.ReadAllBytesAsync(data, Token);

        var flipped = (byte[])original.Clone();
        flipped[flipped.Length / 2] ^= 0xff;
        await File.WriteAllBytesAsync(data, flipped, Token);
        using var fresh = new RegistryCliSession();
        var (code, _, err) = await fresh.RunAsync("pull", remote);
        Assert.Equal(1, code);
        Assert.Contains("does not match its digest", err);
        await AssertEmptyStoreAsync(fresh);

        await File.WriteAllBytesAsync(data, original[..(original.Length - 100)], Token);
        (code, _, err) = await fresh.RunAsync("pull", remote);
        Assert.Equal(1, code);
        Assert.Contains(blob[7..19], err);
        await AssertEmptyStoreAsync(fresh);

        // The registry is healthy again: the same pull now finishes.
        await File.WriteAllBytesAsync(data, original, Token);
        await fresh.RunCheckedAsync("pull", remote);
    }

    private static async Task AssertEmptyStoreAsync(RegistryCliSession cli)
    {
        Assert.Equal("", await cli.RunCheckedAsync("images", "-q"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(cli.StoreRoot, "ingest")));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(cli.StoreRoot, "blobs", "sha256")))
            Assert.True(new FileInfo(file).Length < 100_000, $"a layer blob was stored: {file}");
    }

    [Fact]
    public async Task DockerPushedImagePullsWithTheSameImageId()
    {
        await using var docker = await Docker.ConnectAsync(Token);
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Token);
        var remote = $"{registry.Host}/from-docker/busybox:{Guid.NewGuid():N}";
        var id = await docker.BuildLegacyAsync(context, remote, Token);
        await ProcessRunner.RunCheckedAsync(Requirements.Tool("docker"), ["push", remote], Token);

        using var cli = new RegistryCliSession();
        await cli.RunCheckedAsync("pull", remote);
        Assert.Equal(id, await ImageIdAsync(cli, remote));
    }

    [Fact]
    public async Task TabulaPushedImageRunsWithDocker()
    {
        await using var docker = await Docker.ConnectAsync(Token);
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var cli = new RegistryCliSession();
        var id = await BuildBusyboxAsync(cli, temp, "busybox-fixture:1");
        var remote = $"{registry.Host}/to-docker/busybox:{Guid.NewGuid():N}";
        await cli.RunCheckedAsync("push", "busybox-fixture:1", remote);
        docker.Own(remote);
        await ProcessRunner.RunCheckedAsync(Requirements.Tool("docker"), ["pull", remote], Token);
        Assert.Equal(id, await docker.InspectAsync(remote, "{{.Id}}", Token));
        var run = await docker.RunAsync(remote, ["/bin/busybox", "echo", "hi"], Token);
        Assert.True(run.Succeeded, run.StandardError);
        Assert.Equal("hi\n", run.StandardOutput);
    }

    [Fact]
    public async Task BuildPullsAMissingBaseAndRefreshesItWithPull()
    {
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var cli = new RegistryCliSession();
        var first = await BuildBusyboxAsync(cli, temp, "busybox-fixture:1");
        var remote = $"{registry.Host}/base/busybox:1";
        await cli.RunCheckedAsync("push", "busybox-fixture:1", remote);

        using var builder = new RegistryCliSession();
        var context = temp.CreateDirectory("derived");
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), $"FROM {remote}\nCMD [\"/bin/busybox\", \"echo\", \"derived\"]\n", Token);
        var built = await builder.RunCheckedAsync("build", "-t", "derived:1", context);
        Assert.Equal(first, await ImageIdAsync(builder, remote));
        // The pull inside FROM is shown as pull shows it: which image, then a plain line per layer as it lands.
        Assert.Contains($"Pulling {remote}\n", built.ReplaceLineEndings("\n"));
        Assert.Matches(@"(?m)^[0-9a-f]{12}: Pull complete$", built.ReplaceLineEndings("\n"));

        // A new image under the same remote name: a build keeps the stored base, --pull takes the new one.
        var second = temp.CreateDirectory("second");
        await File.WriteAllTextAsync(Path.Combine(second, "Dockerfile"), "FROM busybox-fixture:1\nENV CHANGED=1\n", Token);
        var changed = (await cli.RunCheckedAsync("build", "-q", "-t", "busybox-fixture:2", second)).Trim();
        await cli.RunCheckedAsync("push", "busybox-fixture:2", remote);
        await builder.RunCheckedAsync("build", "-t", "derived:2", context);
        Assert.Equal(first, await ImageIdAsync(builder, remote));
        await builder.RunCheckedAsync("build", "--pull", "-t", "derived:3", context);
        Assert.Equal(changed, await ImageIdAsync(builder, remote));
    }

    [Fact]
    public async Task CopyMovesAnImageThroughEveryTransportUnchanged()
    {
        var skopeo = Requirements.Tool("skopeo");
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var cli = new RegistryCliSession();
        var id = await BuildBusyboxAsync(cli, temp, "busybox-fixture:1");
        var remote = $"docker://{registry.Host}/copy/busybox:1";
        var layout = temp.Combine("layout");
        var ociArchive = temp.Combine("image-oci.tar");
        var dockerArchive = temp.Combine("image-docker.tar");

        await cli.RunCheckedAsync("copy", "store:busybox-fixture:1", $"oci:{layout}:v1");
        await cli.RunCheckedAsync("copy", $"oci:{layout}:v1", remote);
        var pushedAgain = await cli.RunCheckedAsync("copy", "store:busybox-fixture:1", remote);
        Assert.Contains("Layer already exists", pushedAgain);
        await cli.RunCheckedAsync("copy", remote, $"oci-archive:{ociArchive}:v2");
        await cli.RunCheckedAsync("copy", $"oci-archive:{ociArchive}", $"docker-archive:{dockerArchive}:copied/busybox:3");

        using var fresh = new RegistryCliSession();
        await fresh.RunCheckedAsync("copy", $"docker-archive:{dockerArchive}", "store:copied/busybox:3");
        Assert.Equal(id, await ImageIdAsync(fresh, "copied/busybox:3"));
        await fresh.RunCheckedAsync("copy", remote, "store:from-registry:1");
        Assert.Equal(id, await ImageIdAsync(fresh, "from-registry:1"));

        // Other tools read what copy wrote.
        var inspect = await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--raw", $"oci-archive:{ociArchive}"], Token);
        Assert.Contains(id, inspect.StandardOutput);
    }

    [Fact]
    public async Task CopyToAndFromTheDockerDaemon()
    {
        await using var docker = await Docker.ConnectAsync(Token);
        using var temp = new TempDir();
        using var cli = new RegistryCliSession();
        var id = await BuildBusyboxAsync(cli, temp, "busybox-fixture:1");
        var tag = docker.NewTag("copy");
        await cli.RunCheckedAsync("copy", "store:busybox-fixture:1", $"docker-daemon:{tag}");
        Assert.Equal(id, await docker.InspectAsync(tag, "{{.Id}}", Token));
        var run = await docker.RunAsync(tag, ["/bin/busybox", "echo", "hi"], Token);
        Assert.Equal("hi\n", run.StandardOutput);

        using var fresh = new RegistryCliSession();
        await fresh.RunCheckedAsync("copy", $"docker-daemon:{tag}", "store:back/from-docker:1");
        Assert.Equal(id, await ImageIdAsync(fresh, "back/from-docker:1"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(fresh.StoreRoot, "ingest")));
    }
}
