using Tabula.Tests.Build;
using Tabula.Tests.Integration;

namespace Tabula.Tests.BuildKit;

/// <summary>BuildKit's <c>frontend/dockerfile/dockerfile_dockerignore_test.go</c>.</summary>
public sealed class DockerignoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary><c>ba*</c> then <c>!bay</c>: foo and bay are copied; bar, baz, the Dockerfile and the ignore file are not.</summary>
    [Fact]
    public async Task TestDockerignore()
    {
        using var h = new BuildHarness();
        h.File("Dockerfile", "FROM scratch\nCOPY . .\n", "600");
        h.File("foo", "foo-contents", "600");
        h.File("bar", "bar-contents", "600");
        h.File("baz", "baz-contents", "600");
        h.File("bay", "bay-contents", "600");
        h.File(".dockerignore", "\nba*\nDockerfile\n!bay\n.dockerignore\n", "600");

        await h.BuildAsync(h.Options("FROM scratch\nCOPY . .\n") with { DockerfileText = null, DockerfilePath = null });
        var rows = await LayerContents.ReadAllAsync(await h.LoadAsync("test:latest"));

        Assert.Equal(["bay", "foo"], LayerContents.Paths(rows).Order(StringComparer.Ordinal));
        Assert.Equal("foo-contents", LayerContents.Single(rows, "foo").Text);
        Assert.Equal("bay-contents", LayerContents.Single(rows, "bay").Text);
    }

    /// <summary>A lone <c>!</c> is an invalid pattern: the build fails (BuildKit asserts only that it fails, not hangs).</summary>
    [Fact]
    public async Task TestDockerignoreInvalid()
    {
        using var h = new BuildHarness();
        h.File(".dockerignore", "!\n", "600");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => h.BuildAsync("FROM scratch\nCOPY . .\n"));
        Assert.Contains("illegal exclusion pattern", error.Message, StringComparison.Ordinal);
    }

    /// <summary><c>Dockerfile.dockerignore</c> and <c>Dockerfile2.dockerignore</c> each apply to their own Dockerfile (checked by RUN).</summary>
    [Fact]
    public async Task TestDockerignoreOverride()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"FROM {RunFixture.BaseImage}\nCOPY . .\nRUN [ -f foo ] && [ ! -f bar ]\n",
            ("Dockerfile.dockerignore", "\nbar\n"),
            ("Dockerfile2", $"FROM {RunFixture.BaseImage}\nCOPY . .\nRUN [ ! -f foo ] && [ -f bar ]\n"),
            ("Dockerfile2.dockerignore", "\nfoo\n"),
            ("foo", "contents0"),
            ("bar", "contents0"));

        var (code, output, error) = await fixture.TabulaAsync(Ct, "build", "-q", context);
        Assert.True(code == 0, error + output);
        (code, output, error) = await fixture.TabulaAsync(Ct, "build", "-q", "-f", Path.Combine(context, "Dockerfile2"), context);
        Assert.True(code == 0, error + output);
    }
}
