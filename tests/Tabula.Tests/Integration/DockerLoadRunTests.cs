using System.Text.Json;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>What <c>tabula save</c> writes, <c>docker load</c> takes as its own and <c>docker run</c> runs.</summary>
public sealed class DockerLoadRunTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("docker")]
    [InlineData("docker-oci")]
    public async Task DockerRunsTheBusyboxImageTabulaBuiltAndSaved(string format)
    {
        await using var docker = await Docker.ConnectAsync(Token);
        using var temp = new TempDir("docker-run");
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Token);
        // The shell form: CMD runs as /bin/sh -c "…" in the image.
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"),
            $"FROM scratch\nADD {ScratchContext.ArchiveName(TarCompression.Gzip)} /\nCMD echo ok from \"$0\"\n", Token);
        var tag = docker.NewTag("busybox-run");
        var tabula = new TabulaCli(temp.Combine("store"));
        var imageId = await tabula.BuildAsync(context, tag, Token);
        var archive = await tabula.SaveAsync(tag, temp.Combine("saved.tar"), format, Token);

        var loaded = await docker.LoadAsync(archive, Token);
        var echo = await docker.RunAsync(tag, ["/bin/busybox", "echo", "hi"], Token);
        var command = await docker.RunAsync(tag, [], Token);

        Assert.Equal([tag], loaded);
        Assert.Equal(imageId, await docker.InspectAsync(tag, "{{.Id}}", Token));
        // SIZE as docker counts it: file and symlink bytes, a hard-linked file once.
        var inspect = await tabula.RunCheckedAsync(["inspect", tag], Token);
        Assert.Equal(await docker.InspectAsync(tag, "{{.Size}}", Token),
            JsonDocument.Parse(inspect.StandardOutput).RootElement[0].GetProperty("Size").GetInt64().ToString());
        Assert.Equal("hi\n", echo.EnsureSuccess().StandardOutput);
        Assert.Equal("ok from /bin/sh\n", command.EnsureSuccess().StandardOutput);
    }

    /// <summary>Once docker has loaded a multi-layer image tabula built, <c>docker save</c> writes the files <c>tabula save</c> wrote.</summary>
    [Fact]
    public async Task DockerSavesTheFilesTabulaSaved()
    {
        await using var docker = await Docker.ConnectAsync(Token);
        using var temp = new TempDir("docker-resave");
        var context = GeneratedContext.Create(temp.Combine("context"), files: 2, fileSize: 4096,
            "FROM scratch\nCOPY data /data\nCOPY data/file-01 /copy/\nENV GREETING=hi\nCMD [\"/data/file-00\"]\n");
        var tag = docker.NewTag("generated");
        var tabula = new TabulaCli(temp.Combine("store"));
        await tabula.BuildAsync(context, tag, Token);
        var tabulaArchive = await tabula.SaveAsync(tag, temp.Combine("tabula-saved.tar"), "docker", Token);

        await docker.LoadAsync(tabulaArchive, Token);
        var dockerArchive = temp.Combine("docker-saved.tar");
        await docker.SaveAsync(tag, dockerArchive, Token);

        await DockerSaveArchive.AssertSameFilesAsync(dockerArchive, tabulaArchive, "docker save", "tabula save", Token);
    }

    [Fact]
    public async Task HelloExampleBuiltByTabulaGreetsUnderDocker()
    {
        await using var docker = await Docker.ConnectAsync(Token);
        using var temp = new TempDir("hello-run");
        var tag = docker.NewTag("hello-example");
        var tabula = new TabulaCli(temp.Combine("store"));
        await tabula.BuildAsync(RepositoryPaths.Example("hello"), tag, Token);
        var archive = await tabula.SaveAsync(tag, temp.Combine("hello.tar"), "docker", Token);

        await docker.LoadAsync(archive, Token);
        var run = await docker.RunAsync(tag, [], Token);

        Assert.Equal("Hello from a FROM scratch image!\n", run.EnsureSuccess().StandardOutput);
    }
}
