using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tabula.Registry;

/// <summary>
/// Credentials in docker's <c>config.json</c> (<c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>):
/// <c>auths[server].auth</c> (base64 <c>user:password</c>) or <c>identitytoken</c>, <c>credsStore</c> (a helper for
/// all registries) and <c>credHelpers[server]</c> (a helper for one). Other fields of the file are kept as they are.
/// </summary>
public sealed class DockerConfigFile(string path, Func<string, string?> environment) : ICredentialSource
{
    public const string DockerHubServer = "https://index.docker.io/v1/";

    public string Path { get; } = path;

    public static DockerConfigFile FromEnvironment(Func<string, string?> environment)
    {
        var dir = environment("DOCKER_CONFIG") is { Length: > 0 } configured
            ? configured
            : System.IO.Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        return new DockerConfigFile(System.IO.Path.Combine(dir, "config.json"), environment);
    }

    /// <summary>The key docker uses for a registry host: Docker Hub's legacy URL, else the host itself.</summary>
    public static string ServerKey(string registry) => registry is "docker.io" or "index.docker.io" or "registry-1.docker.io" ? DockerHubServer : registry;

    public async Task<RegistryCredential?> GetAsync(string registry, CancellationToken cancellationToken)
    {
        var config = Load();
        var key = ServerKey(registry);
        if (HelperFor(config, registry) is { } helper)
            return await new CredentialHelper(helper, environment).GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (config?["auths"] is JsonObject auths && FindEntry(auths, registry) is JsonObject entry)
            return FromEntry(entry, key);
        return null;
    }

    /// <summary>Stores a credential in the helper configured for the registry, else in the file (mode 0600).</summary>
    public async Task<string> StoreAsync(string registry, RegistryCredential credential, CancellationToken cancellationToken)
    {
        var config = Load() ?? new JsonObject();
        var key = ServerKey(registry);
        if (HelperFor(config, registry) is { } helper)
        {
            await new CredentialHelper(helper, environment).StoreAsync(key, credential, cancellationToken).ConfigureAwait(false);
            return $"credential helper docker-credential-{helper}";
        }
        if (config["auths"] is not JsonObject auths) config["auths"] = auths = new JsonObject();
        var entry = new JsonObject();
        if (credential.IsIdentityToken) entry["identitytoken"] = credential.Secret;
        else entry["auth"] = credential.BasicHeaderValue;
        RemoveEntries(auths, registry);
        auths[key] = entry;
        Save(config);
        return Path;
    }

    /// <summary>Removes the credential; true when there was one to remove.</summary>
    public async Task<bool> EraseAsync(string registry, CancellationToken cancellationToken)
    {
        var config = Load();
        if (config is null) return false;
        var key = ServerKey(registry);
        if (HelperFor(config, registry) is { } helper)
        {
            await new CredentialHelper(helper, environment).EraseAsync(key, cancellationToken).ConfigureAwait(false);
            return true;
        }
        if (config["auths"] is not JsonObject auths || !RemoveEntries(auths, registry)) return false;
        Save(config);
        return true;
    }

    private JsonObject? Load()
    {
        if (!File.Exists(Path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllBytes(Path)) as JsonObject
                ?? throw new InvalidDataException($"{Path} is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Path} is not valid JSON: {e.Message}");
        }
    }

    private void Save(JsonObject config)
    {
        var dir = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(dir);
        var temp = System.IO.Path.Combine(dir, $".config.json.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            using (var writer = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
            {
                config.WriteTo(writer);
                writer.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, Path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static string? HelperFor(JsonObject? config, string registry)
    {
        if (config is null) return null;
        if (config["credHelpers"] is JsonObject helpers)
        {
            foreach (var (name, value) in helpers)
                if (SameServer(name, registry) && value?.GetValueKind() == JsonValueKind.String) return value.GetValue<string>();
        }
        return config["credsStore"] is JsonValue store && store.GetValueKind() == JsonValueKind.String && store.GetValue<string>() is { Length: > 0 } s ? s : null;
    }

    private static JsonObject? FindEntry(JsonObject auths, string registry)
    {
        foreach (var (name, value) in auths)
            if (SameServer(name, registry) && value is JsonObject entry) return entry;
        return null;
    }

    private static bool RemoveEntries(JsonObject auths, string registry)
    {
        var names = auths.Where(p => SameServer(p.Key, registry)).Select(p => p.Key).ToList();
        foreach (var name in names) auths.Remove(name);
        return names.Count > 0;
    }

    /// <summary>Whether a config key (<c>host</c>, <c>https://host</c>, <c>https://host/v1/</c>…) names the registry.</summary>
    internal static bool SameServer(string key, string registry) => HostOf(key) == HostOf(ServerKey(registry)) || HostOf(key) == registry;

    private static string HostOf(string key)
    {
        var host = key;
        if (host.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) host = host[8..];
        else if (host.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) host = host[7..];
        int slash = host.IndexOf('/');
        if (slash >= 0) host = host[..slash];
        host = host.ToLowerInvariant();
        return host is "index.docker.io" or "registry-1.docker.io" or "docker.io" ? "docker.io" : host;
    }

    private RegistryCredential? FromEntry(JsonObject entry, string key)
    {
        if (entry["identitytoken"] is JsonValue token && token.GetValue<string>() is { Length: > 0 } identity)
            return new RegistryCredential(RegistryCredential.IdentityTokenUser, identity);
        if (entry["auth"] is not JsonValue authValue || authValue.GetValue<string>() is not { Length: > 0 } auth) return null;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{Path}: the 'auth' entry for {key} is not base64");
        }
        int colon = decoded.IndexOf(':');
        if (colon < 0) throw new InvalidDataException($"{Path}: the 'auth' entry for {key} is not base64 of USER:PASSWORD");
        return new RegistryCredential(decoded[..colon], decoded[(colon + 1)..]);
    }
}
