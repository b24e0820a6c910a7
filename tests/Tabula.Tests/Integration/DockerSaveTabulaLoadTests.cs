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
        var (tag, dockerId, dockerArchive) = await BuildAndSaveWithDockerAsync(docker, temp, extraInstructions: "");
        var dockerSize = long.Parse(await docker.InspectAsync(tag, "{{.Size}}", Token));
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

        var run = await RunTabulasCopyWithDockerAsync(docker, tabula, temp, tag, dockerId, ["/bin/busybox", "echo", "hi"]);
        Assert.Equal("hi\n", run.StandardOutput);
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
        var (tag, dockerId, dockerArchive) = await BuildAndSaveWithDockerAsync(docker, temp,
            "RUN rm /etc/os-release /var/log/empty.log && rm -r /usr/share/doc && mkdir /usr/share/doc && echo new > /usr/share/doc/new && echo changed > /etc/motd\n");
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
        var run = await RunTabulasCopyWithDockerAsync(docker, tabula, temp, tag, dockerId, ["/bin/ls", "/usr/share/doc"]);
        Assert.Equal("new\n", run.StandardOutput);
    }

    /// <summary>
    /// Several images and two names for one, in one <c>docker save</c> archive: tabula loads every name and saves
    /// the same files docker wrote (config, v1 layer JSON and chain-derived layer IDs, layer.tar, manifest.json,
    /// repositories), byte for byte but for what docker does not keep the same itself (see
    /// <see cref="DockerSaveArchive.AssertSameFilesAsync"/>).
    /// </summary>
    [Fact]
    public async Task TabulaSavesWhatDockerSavedFileForFile()
    {
        await using var docker = await Docker.ConnectAsync(Token);
        using var temp = new TempDir("docker-save-files");
        var hello = docker.NewTag("hello");
        var helloAgain = docker.NewTag("hello-again");
        var layered = docker.NewTag("layered");
        await docker.BuildLegacyAsync(RepositoryPaths.Example("hello"), hello, Token);
        await docker.TagAsync(hello, helloAgain, Token);
        var context = GeneratedContext.Create(temp.Combine("context"), files: 2, fileSize: 4096, "FROM scratch\nCOPY data /data\nCOPY data/file-00 /copy/\n");
        await docker.BuildLegacyAsync(context, layered, Token);
        var dockerArchive = temp.Combine("docker-saved.tar");
        await docker.SaveAsync([hello, helloAgain, layered], dockerArchive, Token);
        var tabula = new TabulaCli(temp.Combine("store"));

        var load = await tabula.RunCheckedAsync(["load", "-i", dockerArchive], Token);
        var tabulaArchive = temp.Combine("tabula-saved.tar");
        await tabula.RunCheckedAsync(["save", "-o", tabulaArchive, hello, helloAgain, layered], Token);

        var loaded = load.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Replace("Loaded image: ", ""));
        Assert.Equal(new[] { hello, helloAgain, layered }.Order(StringComparer.Ordinal), loaded.Order(StringComparer.Ordinal));
        await DockerSaveArchive.AssertSameFilesAsync(dockerArchive, tabulaArchive, "docker save", "tabula save", Token);
    }

    /// <summary>The busybox fixture with <paramref name="extraInstructions"/> after its CMD, legacy-built and <c>docker save</c>d.</summary>
    internal static async Task<(string Tag, string ImageId, string Archive)> BuildAndSaveWithDockerAsync(
        Docker docker, TempDir temp, string extraInstructions)
    {
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Token);
        await File.AppendAllTextAsync(Path.Combine(context, "Dockerfile"), extraInstructions, Token);
        var tag = docker.NewTag("docker-built");
        var imageId = await docker.BuildLegacyAsync(context, tag, Token);
        var archive = temp.Combine("docker-saved.tar");
        await docker.SaveAsync(tag, archive, Token);
        return (tag, imageId, archive);
    }

    /// <summary>
    /// Saves tabula's copy, removes docker's, loads tabula's into docker and runs it there; checks that docker
    /// sees the image ID it built and returns the successful run.
    /// </summary>
    private static async Task<ProcessResult> RunTabulasCopyWithDockerAsync(
        Docker docker, TabulaCli tabula, TempDir temp, string tag, string dockerId, string[] command)
    {
        var archive = await tabula.SaveAsync(tag, temp.Combine("tabula-saved.tar"), "docker", Token);
        await docker.RemoveImageAsync(tag, Token);
        await docker.LoadAsync(archive, Token);
        var run = await docker.RunAsync(tag, command, Token);
        Assert.Equal(dockerId, await docker.InspectAsync(tag, "{{.Id}}", Token));
        return run.EnsureSuccess();
    }

    /// <summary>The path of a <c>tar -tvf</c> line: the sixth field on, without a trailing '/' or link part.</summary>
    private static string PathOf(string line)
    {
        var name = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(5).First();
        return name.TrimEnd('/');
    }
}
