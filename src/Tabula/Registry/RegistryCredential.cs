namespace Tabula.Registry;

/// <summary>
/// A user name and secret (password or identity token) for one registry. The secret never shows in
/// <see cref="ToString"/>, and <see cref="Redact(string, string?[])"/> removes it from any text about to be shown.
/// </summary>
public sealed record RegistryCredential(string Username, string Secret)
{
    /// <summary>Docker's convention: an identity token is stored with this user name and sent as a refresh token.</summary>
    public const string IdentityTokenUser = "<token>";

    public bool IsIdentityToken => Username == IdentityTokenUser;

    public string BasicHeaderValue => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Username}:{Secret}"));

    public override string ToString() => $"{Username}:<redacted>";

    public string Redact(string text) => Redact(text, Secret, BasicHeaderValue);

    /// <summary>Replaces every occurrence of the given secrets (of 4 characters or more) with <c>&lt;redacted&gt;</c>.</summary>
    public static string Redact(string text, params string?[] secrets)
    {
        foreach (var secret in secrets)
            if (secret is { Length: >= 4 }) text = text.Replace(secret, "<redacted>", StringComparison.Ordinal);
        return text;
    }
}

/// <summary>Where credentials for a registry come from.</summary>
public interface ICredentialSource
{
    /// <summary>The credential for a registry host (docker.io for Docker Hub), or null for anonymous access.</summary>
    Task<RegistryCredential?> GetAsync(string registry, CancellationToken cancellationToken);
}

/// <summary>A fixed credential (for tests and for <c>login</c>'s verification).</summary>
public sealed class StaticCredentialSource(RegistryCredential? credential) : ICredentialSource
{
    public Task<RegistryCredential?> GetAsync(string registry, CancellationToken cancellationToken) => Task.FromResult(credential);
}
