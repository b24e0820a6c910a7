using Tabula.Cli;

namespace Tabula.Tests.Integration.Support;

/// <summary>
/// Runs the CLI in this process against one store, with a private HOME and DOCKER_CONFIG (so logins never touch the
/// user's), and a PATH that may be extended with fake helper programs.
/// </summary>
public sealed class RegistryCliSession : IDisposable
{
    private readonly TempDir? _home;
    private readonly Dictionary<string, string?> _environment;

    public RegistryCliSession()
    {
        _home = new TempDir("home");
        Store = new TempDir("store");
        StoreRoot = Store.Path;
        _environment = new Dictionary<string, string?>
        {
            ["HOME"] = _home.Path,
            ["DOCKER_CONFIG"] = _home.Combine(".docker"),
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH"),
        };
    }

    private RegistryCliSession(Dictionary<string, string?> environment)
    {
        Store = new TempDir("store");
        StoreRoot = Store.Path;
        _environment = environment;
    }

    /// <summary>A session of the same user (same HOME and logins) with a fresh store of its own.</summary>
    public RegistryCliSession WithFreshStore() => new(_environment);

    public TempDir? Store { get; }
    public string StoreRoot { get; }
    public string DockerConfigDirectory => _environment["DOCKER_CONFIG"]!;
    public IDictionary<string, string?> Environment => _environment;

    public Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs with <paramref name="input"/> as standard input (none when null).</summary>
    public async Task<(int Code, string Out, string Err)> RunWithInputAsync(string? input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Func<Stream>? stdin = input is null ? null : () => new MemoryStream(System.Text.Encoding.UTF8.GetBytes(input));
        int code = await CliApp.RunAsync(["--root", StoreRoot, .. args], output, error, name => _environment.GetValueOrDefault(name), stdin, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    public async Task<string> RunCheckedAsync(params string[] args)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.True(code == 0, $"tabula {string.Join(' ', args)} exited with {code}: {error}{output}");
        return output;
    }

    public void Dispose()
    {
        _home?.Dispose();
        Store?.Dispose();
    }
}
