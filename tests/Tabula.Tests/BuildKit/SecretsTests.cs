using Tabula.Tests.Integration;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's <c>frontend/dockerfile/dockerfile_secrets_test.go</c>: RUN --mount=type=secret as a file with its mode
/// and owner, as a variable, or both, and a required secret that was not given. Through runc as root.
/// </summary>
public sealed class SecretsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int Code, string Out, string Err)> BuildWithSecretAsync(RunFixture fixture, string dockerfile)
    {
        var secret = fixture.Temp.Combine("mysecret");
        File.WriteAllText(secret, "pw");
        var context = fixture.Context("ctx", dockerfile.Replace("FROM busybox", "FROM " + RunFixture.BaseImage, StringComparison.Ordinal));
        return await fixture.TabulaAsync(Ct, "build", "--secret", "id=mysecret,src=" + secret, context);
    }

    [Fact]
    public async Task TestSecretFileParams()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var (code, output, error) = await BuildWithSecretAsync(fixture, """
            FROM busybox
            RUN --mount=type=secret,required=false,mode=741,uid=100,gid=102,target=/mysecret [ "$(stat -c "%u %g %f" /mysecret)" = "100 102 81e1" ]
            RUN [ ! -f /mysecret ] # check no stub left behind
            """);
        Assert.True(code == 0, error + output);
    }

    [Fact]
    public async Task TestSecretRequiredWithoutValue()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("ctx", $"FROM {RunFixture.BaseImage}\nRUN --mount=type=secret,required,id=mysecret foo\n");
        var (code, _, error) = await fixture.TabulaAsync(Ct, "build", context);
        Assert.NotEqual(0, code);
        Assert.Contains("secret mysecret: not found", error);
    }

    /// <summary>
    /// The variable wins over the stage's ENV of the same name, and no file is mounted. (BuildKit also shows the
    /// command with the variable masked in its progress; Tabula shows the instruction as written, never expanded.)
    /// </summary>
    [Fact]
    public async Task TestSecretAsEnviron()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var (code, output, error) = await BuildWithSecretAsync(fixture, """
            FROM busybox
            ENV SECRET_ENV=foo
            RUN --mount=type=secret,id=mysecret,env=SECRET_ENV [ "$SECRET_ENV" == "pw" ] && [ ! -f /run/secrets/mysecret ] || false
            """);
        Assert.True(code == 0, error + output);
    }

    [Fact]
    public async Task TestSecretAsEnvironWithFileMount()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var (code, output, error) = await BuildWithSecretAsync(fixture, """
            FROM busybox
            RUN --mount=type=secret,id=mysecret,target=/run/secrets/secret,env=SECRET_ENV [ "$SECRET_ENV" == "pw" ] && [ -f /run/secrets/secret ] || false
            """);
        Assert.True(code == 0, error + output);
    }
}
