using System.Text.Json;
using Tabula.Oci;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// <c>build -o</c> and <c>--push</c> where users meet them: docker loads and runs the docker archive, skopeo reads
/// the OCI archive, the registry serves what was pushed, and <c>--metadata-file</c> names the digests those tools see.
/// </summary>
public sealed class BuildOutputToolsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Hello => RepositoryPaths.Example("hello");

    [Fact]
    public async Task DockerOutputLoadsAndRunsUnderDocker()
    {
        await using var docker = await Docker.ConnectAsync(Token);
        using var temp = new TempDir("build-docker-output");
        var tag = docker.NewTag("build-output");
        var tabula = new TabulaCli(temp.Combine("store"));
        var archive = temp.Combine("x.tar");

        await tabula.RunCheckedAsync(["build", "-t", tag, "-o", $"type=docker,dest={archive}", "--iidfile", temp.Combine("iid"), Hello], Token);

        Assert.Equal([tag], await docker.LoadAsync(archive, Token));
        Assert.Equal(await File.ReadAllTextAsync(temp.Combine("iid"), Token), await docker.InspectAsync(tag, "{{.Id}}", Token));
        var run = await docker.RunAsync(tag, [], Token);
        Assert.Equal("Hello from a FROM scratch image!\n", run.EnsureSuccess().StandardOutput);
    }

    /// <summary>Without dest the archive goes to stdout (the real program, stdout a file), its progress to stderr.</summary>
    [Fact]
    public async Task DockerOutputWithoutDestGoesToStdoutAndProgressToStderr()
    {
        using var temp = new TempDir("build-docker-stdout");
        var program = Path.Combine(AppContext.BaseDirectory, "tabula");
        var archive = temp.Combine("piped.tar");

        var run = await ProcessRunner.RunAsync("/bin/sh", ["-c", "exec \"$0\" --root \"$1\" build -t piped:1 --iidfile \"$2\" -o type=docker \"$3\" > \"$4\"",
            program, temp.Combine("store"), temp.Combine("iid"), Hello, archive], Token,
            new ProcessOptions { Environment = new Dictionary<string, string?> { ["BUILDKIT_PROGRESS"] = null } });

        run.EnsureSuccess();
        Assert.Contains("Step 1/3 : FROM scratch", run.StandardError);
        var other = new TabulaCli(temp.Combine("other"));
        await other.RunCheckedAsync(["load", "-i", archive], Token);
        using var inspect = JsonDocument.Parse((await other.RunCheckedAsync(["inspect", "piped:1"], Token)).StandardOutput);
        Assert.Equal(await File.ReadAllTextAsync(temp.Combine("iid"), Token), inspect.RootElement[0].GetProperty("Id").GetString());
    }

    [Fact]
    public async Task OciOutputIsAnOciArchiveSkopeoReads()
    {
        var skopeo = Requirements.Tool("skopeo");
        using var temp = new TempDir("build-oci-output");
        var tabula = new TabulaCli(temp.Combine("store"));
        var archive = temp.Combine("x.tar");

        await tabula.RunCheckedAsync(["build", "-t", "hello-oci:1", "-o", $"type=oci,dest={archive}", "--metadata-file", temp.Combine("meta.json"), Hello], Token);

        var inspect = JsonDocument.Parse((await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "oci-archive:" + archive], Token)).StandardOutput).RootElement;
        var raw = (await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--raw", "oci-archive:" + archive], Token)).StandardOutput;
        var config = JsonDocument.Parse((await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--config", "--raw", "oci-archive:" + archive], Token)).StandardOutput).RootElement;
        using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(temp.Combine("meta.json"), Token));
        var root = metadata.RootElement;
        Assert.Equal(root.GetProperty("containerimage.digest").GetString(), inspect.GetProperty("Digest").GetString());
        Assert.Equal(MediaTypes.OciManifest, root.GetProperty("containerimage.descriptor").GetProperty("mediaType").GetString());
        Assert.Equal(MediaTypes.OciManifest, OciJson.DeserializeManifest(System.Text.Encoding.UTF8.GetBytes(raw)).MediaType);
        Assert.Equal(root.GetProperty("containerimage.config.digest").GetString(), OciJson.DeserializeManifest(System.Text.Encoding.UTF8.GetBytes(raw)).Config.Digest.ToString());
        Assert.Equal("/hello", config.GetProperty("config").GetProperty("Cmd")[0].GetString());
        Assert.Equal("", (await tabula.RunCheckedAsync(["images", "-q"], Token)).StandardOutput);
    }

    [Fact]
    public async Task PushSendsEveryTagAndTheMetadataDigestIsTheRegistrys()
    {
        var skopeo = Requirements.Tool("skopeo");
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir("build-push");
        using var cli = new RegistryCliSession();
        var first = $"{registry.Host}/built/hello:1";
        var second = $"{registry.Host}/built/hello:2";

        var output = await cli.RunCheckedAsync("build", "--push", "--progress=plain", "-t", first, "-t", second, "--metadata-file", temp.Combine("meta.json"), Hello);

        Assert.Contains($"The push refers to repository [{registry.Host}/built/hello]", output);
        using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(temp.Combine("meta.json"), Token));
        var digest = metadata.RootElement.GetProperty("containerimage.digest").GetString()!;
        foreach (var name in new[] { first, second })
        {
            var inspect = JsonDocument.Parse((await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--tls-verify=false", $"docker://{name}"], Token)).StandardOutput).RootElement;
            Assert.Equal(digest, inspect.GetProperty("Digest").GetString());
        }
        Assert.Contains($"1: digest: {digest} size: ", output);

        using var fresh = cli.WithFreshStore();
        await fresh.RunCheckedAsync("pull", $"{registry.Host}/built/hello@{digest}");
        using var pulled = JsonDocument.Parse(await fresh.RunCheckedAsync("inspect", $"{registry.Host}/built/hello@{digest}"));
        Assert.Equal(metadata.RootElement.GetProperty("containerimage.config.digest").GetString(), pulled.RootElement[0].GetProperty("Id").GetString());
    }
}
