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
    public async Task Run_flag_not_allowed_says_where()
    {
        using var h = new BuildHarness();
        var error = Assert.IsType<DockerfileException>(await FailsAsync(h, "FROM scratch\nLABEL a=b\nRUN --security=insecure echo hi\n"));
        Assert.StartsWith("Dockerfile:3:", error.Message);
        Assert.Contains("RUN --security=insecure: entitlement security.insecure is not allowed; build with --allow security.insecure", error.Message);
    }

    [Fact]
    public async Task Run_mount_without_a_target_says_where()
    {
        using var h = new BuildHarness();
        var error = Assert.IsType<DockerfileException>(await FailsAsync(h, "FROM scratch\nRUN --mount=type=tmpfs,size=10 echo hi\n"));
        Assert.StartsWith("Dockerfile:2:", error.Message);
        Assert.Contains("a target= is required", error.Message);
    }

    /// <summary>RUN --mount values are checked as BuildKit's parseMount checks them, each error one line at the RUN.</summary>
    [Theory]
    [InlineData("type=bind,target=/m,mode=0755", "mode not allowed for \"bind\" type mounts")]
    [InlineData("type=tmpfs,target=/m,uid=1", "uid not allowed for \"tmpfs\" type mounts")]
    [InlineData("type=cache,target=/m,sharing=lockd", "unsupported sharing value \"lockd\" (did you mean locked?)")]
    [InlineData("type=bind,target=/m,sharing=locked", "invalid cache sharing set for bind mount")]
    [InlineData("type=cache,target=/m,mode=0999", "invalid value 0999 for mode")]
    [InlineData("type=tmpfs,target=/m,size=lots", "invalid value for size: lots")]
    [InlineData("type=cache,target=/m,size=1k", "unexpected key 'size' for mount type 'cache'")]
    [InlineData("type=bind,target=/m,required", "unexpected key 'required' for mount type 'bind'")]
    [InlineData("type=bind,target=/m,nonsense", "invalid field 'nonsense' must be a key=value pair")]
    [InlineData("type=secret,from=x,id=a", "secret mount should not have a from")]
    [InlineData("type=secret,env=A", "invalid secret mount. one of source, target required")]
    [InlineData("type=secret,source=a,id=b", "both source and id can't be set")]
    [InlineData("type=ssh,source=a", "ssh does not support source")]
    [InlineData("type=cache,target=/m,ro=maybe", "invalid value for ro: maybe")]
    public async Task Run_mount_options_are_checked_as_buildkit_checks_them(string mount, string reason)
    {
        using var h = new BuildHarness();
        var error = Assert.IsType<DockerfileException>(await FailsAsync(h, $"FROM scratch\nRUN --mount={mount} true\n"));
        Assert.Equal("Dockerfile:2: " + reason, error.Message);
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
