using Tabula.Dockerfile;

namespace Tabula.Tests.Build;

/// <summary>Failures name their Dockerfile line, say what to do, and leave the store's names untouched.</summary>
public class BuildErrorTests
{
    private static async Task<Exception> FailsAsync(BuildHarness h, string dockerfile)
    {
        await h.BuildAsync("FROM scratch\nLABEL keep=1\n", "existing:1");
        var before = h.IndexBytes();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => h.BuildAsync(dockerfile));
        Assert.Equal(before, h.IndexBytes());
        return error;
    }

    [Fact]
    public async Task A_dockerfile_of_only_args_has_nothing_to_build()
    {
        using var h = new BuildHarness();
        var error = Assert.IsType<DockerfileException>(await FailsAsync(h, "ARG X=1\n"));
        Assert.Contains("no FROM instruction", error.Message);
    }

    [Fact]
    public async Task Run_mount_is_not_supported_yet_and_says_where()
    {
        using var h = new BuildHarness();
        var error = Assert.IsType<DockerfileException>(await FailsAsync(h, "FROM scratch\nLABEL a=b\nRUN --mount=type=ssh echo hi\n"));
        Assert.StartsWith("Dockerfile:3:", error.Message);
        Assert.Contains("RUN --mount=type=ssh is not supported yet", error.Message);
    }

    [Fact]
    public async Task Run_mount_without_a_target_says_where()
    {
        using var h = new BuildHarness();
        var error = Assert.IsType<DockerfileException>(await FailsAsync(h, "FROM scratch\nRUN --mount=type=tmpfs,size=10 echo hi\n"));
        Assert.StartsWith("Dockerfile:2:", error.Message);
        Assert.Contains("a target= is required", error.Message);
    }

    [Fact]
    public async Task From_an_image_not_in_the_store()
    {
        using var h = new BuildHarness();
        var error = Assert.IsType<DockerfileException>(await FailsAsync(h, "FROM alpine:3.19\n"));
        Assert.StartsWith("Dockerfile:1:", error.Message);
        Assert.Contains("alpine:3.19", error.Message);
        Assert.Contains("not found in the local store", error.Message);
    }

    [Fact]
    public async Task A_missing_source_names_the_file()
    {
        using var h = new BuildHarness();
        var error = Assert.IsType<DockerfileException>(await FailsAsync(h, "FROM scratch\nCOPY a.txt nothing.bin /d/\n"));
        Assert.StartsWith("Dockerfile:2:", error.Message);
        Assert.Contains("a.txt", error.Message);
    }

    [Theory]
    [InlineData("FROM scratch\nCOPY onlyone\n", 2)]
    [InlineData("FROM scratch\nEXPOSE 80/xyz\n", 2)]
    [InlineData("FROM scratch\nSTOPSIGNAL NOTASIGNAL\n", 2)]
    [InlineData("FROM scratch\nLABEL a=\"${x\n", 2)]
    [InlineData("FROM scratch\nFLY away\n", 2)]
    [InlineData("FROM scratch AS a\nFROM scratch\nARG S=a\nCOPY --from=$S /x /x\n", 4)]
    [InlineData("FROM scratch\nADD --checksum=sha256:0000 local.tgz /\n", 2)]
    public async Task A_malformed_dockerfile_is_located(string dockerfile, int line)
    {
        using var h = new BuildHarness();
        var error = Assert.IsType<DockerfileException>(await FailsAsync(h, dockerfile));
        Assert.StartsWith($"Dockerfile:{line}", error.Message);
    }

    [Fact]
    public async Task An_instruction_before_from_is_an_error()
    {
        using var h = new BuildHarness();
        var error = Assert.IsType<DockerfileException>(await FailsAsync(h, "LABEL a=b\nFROM scratch\n"));
        Assert.StartsWith("Dockerfile:1", error.Message);
    }

    [Fact]
    public async Task An_unknown_target_is_an_error()
    {
        using var h = new BuildHarness();
        await h.BuildAsync("FROM scratch\nLABEL keep=1\n", "existing:1");
        var before = h.IndexBytes();
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync(h.Options("FROM scratch AS a\nLABEL a=b\n") with { Target = "b" }));
        Assert.Contains("target stage \"b\" could not be found", error.Message);
        Assert.Equal(before, h.IndexBytes());
    }

    [Fact]
    public async Task A_failure_after_layers_were_written_names_nothing()
    {
        using var h = new BuildHarness();
        h.File("a", "a");
        var error = Assert.IsType<DockerfileException>(await FailsAsync(h, "FROM scratch\nCOPY a /a\nCOPY a /b\nRUN true\n"));
        Assert.StartsWith("Dockerfile:4:", error.Message);
        Assert.Single(await h.Store.Resolver.ListAsync(TestContext.Current.CancellationToken));
    }
}
