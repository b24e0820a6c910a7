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

    /// <summary>
    /// A RUN step's layer as overlay2 diffs it: a deleted file and directory become whiteouts, a directory made
    /// again becomes opaque. Tabula's merged view of docker's layers must apply them as docker does.
    /// </summary>
    [Fact]
    public async Task MergedListingAppliesTheWhiteoutsOfADockerRunLayer()
    {
        await using var docker = await Docker.ConnectAsync(Token);
        using var temp = new TempDir("docker-whiteouts");
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Token);
        await File.AppendAllTextAsync(Path.Combine(context, "Dockerfile"),
            "RUN rm /etc/os-release /var/log/empty.log && rm -r /usr/share/doc && mkdir /usr/share/doc && echo new > /usr/share/doc/new && echo changed > /etc/motd\n", Token);
        var tag = docker.NewTag("docker-run-layer");
        var dockerId = await docker.BuildLegacyAsync(context, tag, Token);
        var dockerArchive = temp.Combine("docker-saved.tar");
        await docker.SaveAsync(tag, dockerArchive, Token);
        var tabula = new TabulaCli(temp.Combine("store"));

        await tabula.RunCheckedAsync(["load", "-i", dockerArchive], Token);
        var merged = await tabula.RunCheckedAsync(["ls", tag], Token);
        var layers = await tabula.RunCheckedAsync(["ls", "--layers", tag], Token);

        var paths = merged.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(PathOf).ToList();
        Assert.Contains("bin/busybox", paths);
        Assert.Contains("etc/motd", paths);
        Assert.Contains("etc/passwd", paths);
        Assert.Contains("usr/share/doc/new", paths);
        Assert.DoesNotContain("etc/os-release", paths);
        Assert.DoesNotContain("var/log/empty.log", paths);
        Assert.DoesNotContain(paths, path => path.StartsWith("usr/share/doc/tabula-fixture", StringComparison.Ordinal));
        Assert.DoesNotContain(paths, path => path.Contains(".wh.", StringComparison.Ordinal));
        // The whiteouts are in docker's second layer, which --layers shows as it is.
        Assert.Contains("/.wh.os-release", layers.StandardOutput);
        Assert.Equal(2, layers.StandardOutput.Split('\n').Count(line => line.StartsWith("# layer ", StringComparison.Ordinal)));

        // Both layers go back to docker, which applies the whiteouts again.
        var tabulaArchive = await tabula.SaveAsync(tag, temp.Combine("tabula-saved.tar"), "docker", Token);
        await docker.RemoveImageAsync(tag, Token);
        await docker.LoadAsync(tabulaArchive, Token);
        var run = await docker.RunAsync(tag, ["/bin/ls", "/usr/share/doc"], Token);
        Assert.Equal(dockerId, await docker.InspectAsync(tag, "{{.Id}}", Token));
        Assert.Equal("new\n", run.EnsureSuccess().StandardOutput);
    }

    /// <summary>The path of a <c>tar -tvf</c> line: the sixth field on, without a trailing '/' or link part.</summary>
    private static string PathOf(string line)
    {
        var name = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(5).First();
        return name.TrimEnd('/');
    }
}
