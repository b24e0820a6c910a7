using Tabula.Dockerfile;
using Tabula.Tests.Build;
using Tabula.Tests.Integration;

namespace Tabula.Tests.BuildKit;

/// <summary>BuildKit's frontend/dockerfile/dockerfile_cmd_test.go.</summary>
public class CmdTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TestCmdShell()
    {
        using var h = new BuildHarness();
        await h.BuildAsync("FROM scratch\nCMD [\"test\"]\n", "docker.io/moby/cmdoverridetest:latest");
        var image = await h.BuildImageAsync("FROM docker.io/moby/cmdoverridetest:latest\nSHELL [\"ls\"]\nENTRYPOINT my entrypoint\n");
        Assert.Null(image.Config.Config!.Cmd);
        Assert.Equal(["ls", "my entrypoint"], image.Config.Config.Entrypoint);
    }

    /// <summary>The linux/amd64 half of BuildKit's two-platform build (Windows images are outside Tabula).</summary>
    [Fact]
    public async Task TestDefaultShellAndPath()
    {
        using var h = new BuildHarness();
        h.File("Dockerfile", "x");
        var image = await h.BuildImageAsync("FROM scratch\nENTRYPOINT foo bar\nCOPY Dockerfile .\n");
        Assert.Single(image.Layers);
        Assert.Equal(["/bin/sh", "-c", "foo bar"], image.Config.Config!.Entrypoint);
        Assert.Equal(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], image.Config.Config.Env);
        // BuildKit sets ArgsEscaped for CMD only.
        Assert.Null(image.Config.Config.ArgsEscaped);
    }

    [Fact]
    public async Task TestIgnoreEntrypoint()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        await BusyboxBuild.BuildImageAsync(fixture, "ignore-entrypoint:1", "FROM busybox\nENTRYPOINT [\"/nosuchcmd\"]\nRUN [\"ls\"]\n");
    }

    [Fact]
    public async Task TestInvalidJSONCommands()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        Assert.Contains("this is invalid", await BusyboxBuild.BuildFailsAsync(fixture, "FROM alpine\nRUN [\"echo\", \"hello\"]this is invalid\n"));

        var image = await BusyboxBuild.BuildImageAsync(fixture, "invalid-json:2", "FROM alpine\nENTRYPOINT []random string\n");
        Assert.Equal(["/bin/sh", "-c", "[]random string"], image.Config.Config!.Entrypoint);
    }

    [Fact]
    public async Task TestDockerfileInvalidCommand()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var output = await BusyboxBuild.BuildFailsAsync(fixture, "\tFROM busybox\n\tRUN invalidcmd\n");
        Assert.Contains("/bin/sh -c invalidcmd", output);
        Assert.Contains("did not complete successfully", output);
    }

    [Fact]
    public async Task TestDockerfileInvalidInstruction()
    {
        using var h = new BuildHarness();
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync("FROM scratch\nFNTRYPOINT [\"/bin/sh\", \"-c\", \"echo invalidinstruction\"]\n"));
        Assert.Contains("unknown instruction: FNTRYPOINT", error.Message);
        Assert.Contains("did you mean ENTRYPOINT?", error.Message);
    }
}
