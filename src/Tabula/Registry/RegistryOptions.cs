namespace Tabula.Registry;

/// <summary>How to reach registries: which may be spoken to without verified TLS, extra CAs, credentials, retries.</summary>
public sealed record RegistryOptions
{
    /// <summary>Hosts (<c>host[:port]</c>) that may use plain HTTP or unverified TLS (<c>--insecure-registry</c>, <c>--tls-verify=false</c>).</summary>
    public IReadOnlySet<string> InsecureRegistries { get; init; } = new HashSet<string>();

    /// <summary>A folder of CA certificates (<c>*.crt</c>, PEM) trusted in addition to the system's, as docker's <c>certs.d/HOST</c>.</summary>
    public string? CertificateDirectory { get; init; }

    public ICredentialSource? Credentials { get; init; }

    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    public string UserAgent { get; init; } = "tabula";

    /// <summary>Upload blobs in PATCH chunks of this many bytes instead of one monolithic PUT (0: monolithic).</summary>
    public int ChunkSize { get; init; }

    /// <summary>The default <see cref="Timeout"/>: a dead or silent registry fails within a minute, retries included.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a request may make no progress: to connect, from the last byte sent to the response headers, and in a
    /// body, to receive <see cref="ReadStallGuard.ProgressBytes"/> (or the end). <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> waits forever.
    /// </summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>The TCP (and TLS) connect timeout; the smaller of this and <see cref="Timeout"/> applies.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether a host may be spoken to in plain HTTP: loopback always, others only when marked insecure.</summary>
    public bool AllowsPlainHttp(string registry) => IsLoopback(registry) || InsecureRegistries.Contains(registry);

    public bool SkipsTlsVerification(string registry) => InsecureRegistries.Contains(registry);

    public static bool IsLoopback(string registry)
    {
        var host = HostWithoutPort(registry);
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        if (host is "[::1]" or "::1") return true;
        return System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address);
    }

    internal static string HostWithoutPort(string registry)
    {
        if (registry.StartsWith('['))
        {
            int close = registry.IndexOf(']');
            return close > 0 ? registry[..(close + 1)] : registry;
        }
        int colon = registry.LastIndexOf(':');
        return colon > 0 ? registry[..colon] : registry;
    }
}

/// <summary>Registry names as users type them for login/logout: <c>https://host/v1/</c> → <c>host</c>, empty → Docker Hub.</summary>
internal static class RegistryHost
{
    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return ImageReferenceDefaults.Registry;
        var host = text.Trim();
        if (host.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) host = host[8..];
        else if (host.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) host = host[7..];
        int slash = host.IndexOf('/');
        if (slash >= 0) host = host[..slash];
        host = host.ToLowerInvariant();
        return host is "index.docker.io" or "registry-1.docker.io" ? ImageReferenceDefaults.Registry : host;
    }
}

internal static class ImageReferenceDefaults
{
    public const string Registry = Oci.ImageReference.DefaultRegistry;
}
