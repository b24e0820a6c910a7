using Tabula.Cli.Verbs;
using Tabula.Oci;
using Tabula.Runtime;

namespace Tabula.Tests.Runtime;

/// <summary>What docker run makes of ENTRYPOINT, CMD, --entrypoint, the command given and -e.</summary>
public class ImageProcessTests
{
    private static readonly ContainerConfig Config = new() { Entrypoint = ["/entry"], Cmd = ["default"], Env = ["PATH=/bin", "A=1"] };

    [Fact]
    public void Entrypoint_then_cmd_or_the_command_given()
    {
        Assert.Equal(["/entry", "default"], ImageProcess.Args(Config, null, []));
        Assert.Equal(["/entry", "x", "y"], ImageProcess.Args(Config, null, ["x", "y"]));
        Assert.Equal(["/other"], ImageProcess.Args(Config, "/other", []));
        Assert.Equal(["/other", "z"], ImageProcess.Args(Config, "/other", ["z"]));
        Assert.Equal(["sh"], ImageProcess.Args(new ContainerConfig { Cmd = ["sh"] }, null, []));
        Assert.Empty(ImageProcess.Args(null, null, []));
    }

    [Fact]
    public void Env_overrides_replace_by_key()
        => Assert.Equal(["PATH=/bin", "A=2", "B=3"], ImageProcess.Env(Config, ["A=2", "B=3"]));

    [Theory]
    [InlineData("run img sh -c x", "run img -- sh -c x")]
    [InlineData("--root /s run --rm -e A=1 -w /tmp img ls -l", "--root /s run --rm -e A=1 -w /tmp img -- ls -l")]
    [InlineData("--timeout 5s --debug run img sh -c x", "--timeout 5s --debug run img -- sh -c x")]
    [InlineData("run img", "run img --")]
    [InlineData("run img -- sh -c x", "run img -- sh -c x")]
    [InlineData("images -q", "images -q")]
    public void The_command_after_the_image_is_not_parsed_as_options(string given, string expected)
        => Assert.Equal(expected.Split(' '), RunArguments.SeparateCommand(given.Split(' ')));
}
