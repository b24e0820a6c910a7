using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>A registry with htpasswd Basic auth over TLS from a self-signed CA: refusal, login, push, logout.</summary>
public class RegistryAuthTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private const string User = "tabula";
    private const string Password = "Sup3r-Secret-Pa55";

    [Fact]
    public async Task PushNeedsTrustedTlsAndLoginAndNeverShowsTheSecret()
    {
        await using var registry = await RegistryServer.StartAsync(Token, htpasswd: (User, Password), tls: true);
        using var temp = new TempDir();
        using var cli = new RegistryCliSession();
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Token);
        await cli.RunCheckedAsync("build", "-q", "-t", "busybox-fixture:1", context);
        var remote = $"{registry.Host}/secure/busybox:1";
        var everything = new System.Text.StringBuilder();

        // The CA is not trusted: TLS fails, and the message says how to fix it.
        var (code, output, error) = await cli.RunAsync("push", "busybox-fixture:1", remote);
        everything.Append(output).Append(error);
        Assert.Equal(1, code);
        Assert.Contains("--cert-dir", error);

        // Trusted, but anonymous: refused with a clear message.
        (code, output, error) = await cli.RunAsync("push", "--cert-dir", registry.CertDir!, "busybox-fixture:1", remote);
        everything.Append(output).Append(error);
        Assert.Equal(1, code);
        Assert.Contains($"tabula login {registry.Host}", error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // A wrong password is refused at login and nothing is stored.
        (code, output, error) = await cli.RunAsync("login", "--cert-dir", registry.CertDir!, "-u", User, "-p", "Wr0ng-" + Password, registry.Host);
        everything.Append(output).Append(error);
        Assert.Equal(1, code);
        Assert.DoesNotContain("Wr0ng-", output + error);
        Assert.False(File.Exists(Path.Combine(cli.DockerConfigDirectory, "config.json")));

        // The password from stdin (as CI pipelines give it), with its trailing newline: no warning about -p.
        (code, output, error) = await cli.RunWithInputAsync(Password + "\n", "login", "--cert-dir", registry.CertDir!, "-u", User, "--password-stdin", registry.Host);
        everything.Append(output).Append(error);
        Assert.True(code == 0, error);
        Assert.Contains("Login Succeeded", output);
        Assert.DoesNotContain("WARNING", error);
        // -p works too, with docker's warning.
        (code, output, error) = await cli.RunAsync("login", "--cert-dir", registry.CertDir!, "-u", User, "-p", Password, registry.Host);
        everything.Append(output).Append(error);
        Assert.Equal(0, code);
        Assert.Contains("Using --password via the CLI is insecure", error);
        // Both at once is a usage error.
        (code, _, error) = await cli.RunWithInputAsync(Password, "login", "-u", User, "-p", Password, "--password-stdin", registry.Host);
        Assert.Equal(2, code);
        Assert.Contains("mutually exclusive", error);
        var config = Path.Combine(cli.DockerConfigDirectory, "config.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));

        var push = await cli.RunCheckedAsync("push", "--cert-dir", registry.CertDir!, "busybox-fixture:1", remote);
        everything.Append(push);
        Assert.Contains("Pushed", push);

        var skopeo = Requirements.Tool("skopeo");
        var inspect = await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--cert-dir", registry.CertDir!, "--creds", $"{User}:{Password}", "--raw", $"docker://{remote}"], Token);
        Assert.Contains("\"layers\"", inspect.StandardOutput);

        // Pull back with the stored credentials, into a second store of the same user.
        using var sameUser = cli.WithFreshStore();
        var pull = await sameUser.RunCheckedAsync("pull", "--cert-dir", registry.CertDir!, remote);
        everything.Append(pull);
        Assert.Contains("Pull complete", pull);

        var logout = await cli.RunCheckedAsync("logout", registry.Host);
        Assert.Contains("Removing login credentials", logout);
        (code, output, error) = await cli.RunAsync("push", "--cert-dir", registry.CertDir!, "busybox-fixture:1", remote);
        everything.Append(output).Append(error);
        Assert.Equal(1, code);

        Assert.DoesNotContain(Password, everything.ToString());
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{User}:{Password}")), everything.ToString());
    }
}
