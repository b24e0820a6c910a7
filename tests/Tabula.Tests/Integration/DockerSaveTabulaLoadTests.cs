using System.Text.Json;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// An image docker built and <c>docker save</c>d, loaded by <c>tabula load</c>: listed, inspected and listed
/// file by file as docker knows it, and saved back for docker to run.
/// </summary>
public sealed class DockerSaveTabulaLoadTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TabulaLoadsWhatDockerSavedAndGivesItBack()
    {
        await using var docker = await Docker.ConnectAsync(Token);
        using var temp = new TempDir("docker-save-load");
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Token);
        var tag = docker.NewTag("docker-built");
        var dockerId = await docker.BuildLegacyAsync(context, tag, Token);
        var dockerSize = long.Parse(await docker.InspectAsync(tag, "{{.Size}}", Token));
        var dockerArchive = temp.Combine("docker-saved.tar");
        await docker.SaveAsync(tag, dockerArchive, Token);
        var tabula = new TabulaCli(temp.Combine("store"));

        await tabula.RunCheckedAsync(["load", "-i", dockerArchive], Token);

        var (repository, tagName) = (tag[..tag.LastIndexOf(':')], tag[(tag.LastIndexOf(':') + 1)..]);
        var images = await tabula.RunCheckedAsync(["images", "--no-trunc", "--format", "json"], Token);
        var row = JsonDocument.Parse(Assert.Single(images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))).RootElement;
        Assert.Equal(repository, row.GetProperty("Repository").GetString());
        Assert.Equal(tagName, row.GetProperty("Tag").GetString());
        Assert.Equal(dockerId, row.GetProperty("ID").GetString());

        var inspect = await tabula.RunCheckedAsync(["inspect", tag], Token);
        var inspected = Assert.Single(JsonDocument.Parse(inspect.StandardOutput).RootElement.EnumerateArray());
        Assert.Equal(dockerId, inspected.GetProperty("Id").GetString());
        Assert.Equal([tag], inspected.GetProperty("RepoTags").EnumerateArray().Select(name => name.GetString()));
        Assert.Equal(dockerSize, inspected.GetProperty("Size").GetInt64());
        Assert.Equal(["/bin/sh"], inspected.GetProperty("Config").GetProperty("Cmd").EnumerateArray().Select(word => word.GetString()));

        // The legacy builder's history: "/bin/sh -c #(nop) ADD file:… in / " and "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]".
        var history = await tabula.RunCheckedAsync(["history", "--no-trunc", tag], Token);
        Assert.Contains("#(nop) ADD file:", history.StandardOutput);
        Assert.Contains("CMD [\"/bin/sh\"]", history.StandardOutput);

        var files = await tabula.RunCheckedAsync(["ls", tag], Token);
        var lines = files.StandardOutput.Split('\n');
        Assert.Contains(lines, line => line.EndsWith(" bin/busybox", StringComparison.Ordinal) && line.StartsWith("-rwxr-xr-x", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.EndsWith(" bin/sh -> busybox", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.EndsWith(" etc/passwd", StringComparison.Ordinal));

        // Back to docker: remove docker's copy, load tabula's, run it.
        var tabulaArchive = await tabula.SaveAsync(tag, temp.Combine("tabula-saved.tar"), "docker", Token);
        await docker.RemoveImageAsync(tag, Token);
        await docker.LoadAsync(tabulaArchive, Token);
        var run = await docker.RunAsync(tag, ["/bin/busybox", "echo", "hi"], Token);
        Assert.Equal(dockerId, await docker.InspectAsync(tag, "{{.Id}}", Token));
        Assert.Equal("hi\n", run.EnsureSuccess().StandardOutput);
    }
}
