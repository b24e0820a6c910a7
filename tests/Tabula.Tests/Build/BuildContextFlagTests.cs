using Tabula.Build;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Build;

/// <summary><c>--build-context NAME=VALUE</c> as the command line takes it: names as BuildKit keys them, values as buildx spells them.</summary>
public sealed class BuildContextFlagTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int Code, string Out, string Err)> TabulaAsync(string store, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await Tabula.Cli.CliApp.RunAsync(["--root", store, .. args], output, error, _ => null, Ct);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Names_are_keyed_as_BuildKit_normalises_them()
    {
        Assert.Equal("busybox", NamedContext.Key("docker.io/library/busybox:latest"));
        Assert.Equal("busybox", NamedContext.Key("busybox"));
        Assert.Equal("busybox:1.36", NamedContext.Key("busybox:1.36"));
        Assert.Equal("localhost:5000/team/app", NamedContext.Key("localhost:5000/team/app:latest"));
        Assert.Null(NamedContext.Key("scratch"));
        Assert.Null(NamedContext.Key("context"));
        Assert.Null(NamedContext.Key("Upper"));
    }

    [Fact]
    public void Values_parse_as_buildx_spells_them()
    {
        using var temp = new TempDir("named-values");
        File.WriteAllText(temp.Combine("index.json"), """{"schemaVersion":2,"manifests":[]}""");
        Assert.Equal(new ImageNamedContext(null), NamedContext.Parse("docker-image://scratch"));
        Assert.Equal("docker.io/library/alpine:3.20", ((ImageNamedContext)NamedContext.Parse("docker-image://alpine:3.20")).Reference!.ToString());
        Assert.Equal(new OciLayoutNamedContext(temp.Path, "latest", null), NamedContext.Parse("oci-layout://" + temp.Path));
        Assert.Equal(new OciLayoutNamedContext(temp.Path, "v1", null), NamedContext.Parse("oci-layout://" + temp.Path + ":v1"));
        var digest = "sha256:" + new string('a', 64);
        Assert.Equal(new OciLayoutNamedContext(temp.Path, null, Tabula.Oci.Digest.Parse(digest)), NamedContext.Parse("oci-layout://" + temp.Path + "@" + digest));
        Assert.Equal(new LocalNamedContext(temp.Path), NamedContext.Parse(temp.Path));
    }

    [Fact]
    public async Task A_named_directory_feeds_copy_from_and_run_mounts_through_the_command_line()
    {
        Tabula.Tests.BuildKit.BuildKitHarness.RequireRun();
        using var fixture = await Tabula.Tests.Integration.RunFixture.CreateAsync(Ct);
        var shared = fixture.Temp.CreateDirectory("shared");
        File.WriteAllText(Path.Combine(shared, "conf.txt"), "from-shared\n");
        File.WriteAllText(Path.Combine(shared, "secret.txt"), "ignored\n");
        File.WriteAllText(Path.Combine(shared, ".dockerignore"), "secret.txt\n");
        var context = fixture.Context("ctx", $"""
            FROM {Tabula.Tests.Integration.RunFixture.BaseImage}
            COPY --from=shared conf.txt /copied.txt
            RUN --mount=from=shared,target=/in cat /in/conf.txt > /mounted.txt
            COPY --from=shared s* /none/
            """);
        var (code, _, error) = await fixture.TabulaAsync(Ct, "build", "-q", "-t", "named-cli:1", "--build-context", "shared=" + shared, context);
        Assert.True(code == 0, error);
        var image = await Tabula.Tests.BuildKit.BusyboxBuild.LoadAsync(fixture, "named-cli:1");
        Assert.Equal("from-shared\n", await Tabula.Tests.BuildKit.BuildKitHarness.FileTextAsync(image, "copied.txt"));
        Assert.Equal("from-shared\n", await Tabula.Tests.BuildKit.BuildKitHarness.FileTextAsync(image, "mounted.txt"));
        Assert.DoesNotContain(await Tabula.Tests.BuildKit.BuildKitHarness.AllPathsAsync(image), p => p.Contains("secret", StringComparison.Ordinal));

        // A changed file of the named directory is a changed input: the COPY is not taken from the cache.
        File.WriteAllText(Path.Combine(shared, "conf.txt"), "changed\n");
        (code, _, error) = await fixture.TabulaAsync(Ct, "build", "-q", "-t", "named-cli:2", "--build-context", "shared=" + shared, context);
        Assert.True(code == 0, error);
        image = await Tabula.Tests.BuildKit.BusyboxBuild.LoadAsync(fixture, "named-cli:2");
        Assert.Equal("changed\n", await Tabula.Tests.BuildKit.BuildKitHarness.FileTextAsync(image, "copied.txt"));
        Assert.Equal("changed\n", await Tabula.Tests.BuildKit.BuildKitHarness.FileTextAsync(image, "mounted.txt"));
    }

    [Theory]
    [InlineData("novalue", "invalid --build-context 'novalue'")]
    [InlineData("Upper=/tmp", "invalid --build-context name 'Upper'")]
    [InlineData("scratch=/tmp", "invalid --build-context name 'scratch'")]
    [InlineData("src=git@github.com:moby/buildkit.git", "is not supported")]
    [InlineData("src=https://example.com/x.tar", "is not supported")]
    [InlineData("src=/no/such/directory/here", "no such directory")]
    [InlineData("src=oci-layout:///no/such/layout", "is not an OCI image layout")]
    [InlineData("src=docker-image://Not An Image", "is not an image reference")]
    public async Task Unusable_values_are_one_line_usage_errors(string value, string message)
        => await AssertUsageErrorAsync("--build-context", value, message);

    /// <summary><c>tabula build FLAG VALUE</c> of a bare context: exit 2 and one line <c>Error: …MESSAGE…</c>.</summary>
    internal static async Task AssertUsageErrorAsync(string flag, string value, string message)
    {
        using var temp = new TempDir("build-flag-errors");
        File.WriteAllText(temp.Combine("Dockerfile"), "FROM scratch\n");
        var (code, _, error) = await TabulaAsync(temp.CreateDirectory("store"), "build", flag, value, temp.Path);
        Assert.Equal(2, code);
        Assert.StartsWith("Error: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }
}
