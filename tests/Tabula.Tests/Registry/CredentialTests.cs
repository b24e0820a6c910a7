using System.Text;
using System.Text.Json;
using Tabula.Registry;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Registry;

public class CredentialTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static Func<string, string?> Env(TempDir home, string? path = null) => name => name switch
    {
        "HOME" => home.Path,
        "DOCKER_CONFIG" => home.Combine(".docker"),
        "PATH" => path ?? Environment.GetEnvironmentVariable("PATH"),
        _ => null,
    };

    private static void WriteConfig(TempDir home, string json)
    {
        Directory.CreateDirectory(home.Combine(".docker"));
        File.WriteAllText(home.Combine(".docker", "config.json"), json);
    }

    [Fact]
    public async Task AuthsEntriesAreFoundUnderAnyUsualKey()
    {
        using var home = new TempDir();
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:s3cret:with:colons"));
        WriteConfig(home, "{\"auths\":{\"https://registry.example:5000/v2/\":{\"auth\":\"" + auth + "\"},\"https://index.docker.io/v1/\":{\"auth\":\"" + auth + "\"}}}");
        var config = DockerConfigFile.FromEnvironment(Env(home));
        Assert.Equal(new RegistryCredential("alice", "s3cret:with:colons"), await config.GetAsync("registry.example:5000", Token));
        Assert.Equal("alice", (await config.GetAsync("docker.io", Token))!.Username);
        Assert.Null(await config.GetAsync("other.example", Token));
    }

    [Fact]
    public async Task MissingFileMeansAnonymous()
    {
        using var home = new TempDir();
        Assert.Null(await DockerConfigFile.FromEnvironment(Env(home)).GetAsync("registry.example", Token));
    }

    [Fact]
    public async Task StoreWritesMode0600KeepsOtherFieldsAndEraseRemoves()
    {
        using var home = new TempDir();
        WriteConfig(home, """{"psFormat":"table {{.ID}}","auths":{"other.example":{"auth":"eDp5"}}}""");
        var config = DockerConfigFile.FromEnvironment(Env(home));
        await config.StoreAsync("registry.example", new RegistryCredential("bob", "pa55word"), Token);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config.Path));
        using (var doc = JsonDocument.Parse(File.ReadAllText(config.Path)))
        {
            Assert.Equal("table {{.ID}}", doc.RootElement.GetProperty("psFormat").GetString());
            Assert.True(doc.RootElement.GetProperty("auths").TryGetProperty("other.example", out _));
        }
        Assert.Equal(new RegistryCredential("bob", "pa55word"), await config.GetAsync("registry.example", Token));
        Assert.True(await config.EraseAsync("registry.example", Token));
        Assert.Null(await config.GetAsync("registry.example", Token));
        Assert.False(await config.EraseAsync("registry.example", Token));
    }

    /// <summary>A fake <c>docker-credential-NAME</c> that keeps one credential in a file beside it.</summary>
    private static string FakeHelper(TempDir dir, string name)
    {
        var bin = dir.CreateDirectory("bin");
        var script = Path.Combine(bin, "docker-credential-" + name);
        File.WriteAllText(script, $$"""
            #!/bin/sh
            store="{{bin}}/{{name}}.json"
            case "$1" in
              get) read -r server
                   if [ -f "$store" ] && grep -q "\"$server\"" "$store"; then cat "$store"; else echo "credentials not found in native keychain"; exit 1; fi ;;
              store) cat > "$store" ;;
              erase) rm -f "$store" ;;
            esac
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return bin;
    }

    [Fact]
    public async Task CredHelpersAndCredsStoreUseTheHelperProtocol()
    {
        using var home = new TempDir();
        var bin = FakeHelper(home, "fake");
        var path = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        WriteConfig(home, """{"credHelpers":{"registry.example":"fake"}}""");
        var config = DockerConfigFile.FromEnvironment(Env(home, path));
        Assert.Null(await config.GetAsync("registry.example", Token));
        var where = await config.StoreAsync("registry.example", new RegistryCredential("carol", "helper-secret"), Token);
        Assert.Contains("docker-credential-fake", where);
        Assert.DoesNotContain("helper-secret", File.ReadAllText(config.Path));
        Assert.Equal(new RegistryCredential("carol", "helper-secret"), await config.GetAsync("registry.example", Token));
        // A registry without its own helper and no credsStore: the file.
        Assert.Null(await config.GetAsync("else.example", Token));

        WriteConfig(home, """{"credsStore":"fake"}""");
        Assert.Equal("carol", (await config.GetAsync("registry.example", Token))!.Username);
        Assert.True(await config.EraseAsync("registry.example", Token));
        Assert.Null(await config.GetAsync("registry.example", Token));
    }

    [Fact]
    public async Task AMissingOrBrokenHelperFailsWithoutShowingTheSecret()
    {
        using var home = new TempDir();
        var bin = home.CreateDirectory("bin");
        var script = Path.Combine(bin, "docker-credential-leaky");
        File.WriteAllText(script, "#!/bin/sh\necho 'not json: Secret=hunter2-very-secret'\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        WriteConfig(home, """{"credsStore":"leaky"}""");
        var config = DockerConfigFile.FromEnvironment(Env(home, bin));
        var e = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => config.GetAsync("registry.example", Token));
        Assert.DoesNotContain("hunter2", e.Message);

        WriteConfig(home, """{"credsStore":"absent"}""");
        var missing = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => config.GetAsync("registry.example", Token));
        Assert.Contains("docker-credential-absent", missing.Message);
    }

    [Fact]
    public void SecretsAreRedacted()
    {
        var credential = new RegistryCredential("dave", "correct-horse-battery");
        Assert.DoesNotContain("correct-horse", credential.ToString());
        Assert.DoesNotContain("correct-horse", $"{credential}");
        var leaked = $"failed with Authorization: Basic {credential.BasicHeaderValue} and password correct-horse-battery";
        var clean = credential.Redact(leaked);
        Assert.DoesNotContain("correct-horse-battery", clean);
        Assert.DoesNotContain(credential.BasicHeaderValue, clean);
        Assert.Contains("<redacted>", clean);
    }
}
