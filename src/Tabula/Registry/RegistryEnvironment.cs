namespace Tabula.Registry;

/// <summary>
/// The <see cref="RegistryOptions"/> a program gets from its environment, so every caller (pull, push, login,
/// copy, build's FROM) reaches registries the same way: <c>TABULA_INSECURE_REGISTRIES</c> (comma-separated
/// <c>host[:port]</c>) adds hosts allowed plain HTTP or unverified TLS, <c>TABULA_CERT_DIR</c> is the folder of
/// extra CA certificates when none is given, and credentials come from docker's config (<c>DOCKER_CONFIG</c>,
/// <c>HOME</c>) unless the caller has its own.
/// </summary>
public static class RegistryEnvironment
{
    public const string InsecureRegistriesVariable = "TABULA_INSECURE_REGISTRIES";
    public const string CertificateDirectoryVariable = "TABULA_CERT_DIR";

    /// <param name="environment">Reads a variable (null when unset).</param>
    /// <param name="insecureRegistry">A registry the caller allows without verified TLS (<c>--tls-verify=false</c>), or null.</param>
    /// <param name="certificateDirectory">The caller's CA folder (<c>--cert-dir</c>); wins over the environment's.</param>
    /// <param name="credentials">The caller's credentials (login's); docker's config file when null.</param>
    public static RegistryOptions Options(
        Func<string, string?> environment, string? insecureRegistry = null, string? certificateDirectory = null, ICredentialSource? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var hosts = new HashSet<string>(
            (environment(InsecureRegistriesVariable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(insecureRegistry)) hosts.Add(insecureRegistry);
        return new RegistryOptions
        {
            InsecureRegistries = hosts,
            CertificateDirectory = certificateDirectory ?? (environment(CertificateDirectoryVariable) is { Length: > 0 } directory ? directory : null),
            Credentials = credentials ?? DockerConfigFile.FromEnvironment(environment),
        };
    }
}
