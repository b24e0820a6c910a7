using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Tabula.Registry;

/// <summary>
/// A docker credential helper program (<c>docker-credential-NAME</c>) spoken to with its JSON protocol:
/// <c>get</c> (server URL on stdin → <c>{"ServerURL","Username","Secret"}</c>), <c>store</c> and <c>erase</c>.
/// Neither its output nor its errors are ever shown with the secret in them.
/// </summary>
internal sealed class CredentialHelper(string name, Func<string, string?> environment)
{
    public string Name { get; } = name;
    public string Program => "docker-credential-" + Name;

    public async Task<RegistryCredential?> GetAsync(string serverUrl, CancellationToken cancellationToken)
    {
        var (code, stdout, stderr) = await RunAsync("get", serverUrl, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            if (stdout.Contains("credentials not found", StringComparison.OrdinalIgnoreCase) || stderr.Contains("credentials not found", StringComparison.OrdinalIgnoreCase))
                return null;
            throw new RegistryAuthenticationException($"credential helper {Program} failed to get credentials for {serverUrl} (exit code {code})");
        }
        try
        {
            using var doc = JsonDocument.Parse(stdout);
            var root = doc.RootElement;
            var user = root.TryGetProperty("Username", out var u) ? u.GetString() ?? "" : "";
            var secret = root.TryGetProperty("Secret", out var s) ? s.GetString() ?? "" : "";
            return secret.Length == 0 && user.Length == 0 ? null : new RegistryCredential(user, secret);
        }
        catch (JsonException)
        {
            // The output may hold the secret in some broken form: never echo it.
            throw new RegistryAuthenticationException($"credential helper {Program} answered 'get' for {serverUrl} with output that is not JSON");
        }
    }

    public async Task StoreAsync(string serverUrl, RegistryCredential credential, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("ServerURL", serverUrl);
            writer.WriteString("Username", credential.Username);
            writer.WriteString("Secret", credential.Secret);
            writer.WriteEndObject();
        }
        var (code, _, _) = await RunAsync("store", Encoding.UTF8.GetString(buffer.ToArray()), cancellationToken).ConfigureAwait(false);
        if (code != 0) throw new RegistryAuthenticationException($"credential helper {Program} failed to store credentials for {serverUrl} (exit code {code})");
    }

    public async Task EraseAsync(string serverUrl, CancellationToken cancellationToken)
    {
        var (code, stdout, stderr) = await RunAsync("erase", serverUrl, cancellationToken).ConfigureAwait(false);
        if (code != 0 && !(stdout + stderr).Contains("not found", StringComparison.OrdinalIgnoreCase))
            throw new RegistryAuthenticationException($"credential helper {Program} failed to erase credentials for {serverUrl} (exit code {code})");
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string verb, string input, CancellationToken cancellationToken)
    {
        var path = FindOnPath(Program, environment("PATH"))
            ?? throw new RegistryAuthenticationException($"credential helper {Program} is not on PATH (configured in the docker config file)");
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(verb);
        foreach (var variable in new[] { "HOME", "PATH", "DOCKER_CONFIG", "XDG_RUNTIME_DIR" })
            if (environment(variable) is { } value) start.Environment[variable] = value;
        using var process = Process.Start(start) ?? throw new RegistryAuthenticationException($"could not start {Program}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The helper may exit without reading its input (a broken pipe here); its exit code and output, read
            // next, say what went wrong, and the input is never repeated in a message since it may hold the secret.
        }
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    internal static string? FindOnPath(string program, string? path)
    {
        foreach (var dir in (path ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
