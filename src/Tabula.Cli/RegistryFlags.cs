using System.CommandLine;
using Tabula.Registry;

namespace Tabula.Cli;

/// <summary>The flags every registry verb shares: TLS verification and extra CAs.</summary>
internal sealed class RegistryFlags
{
    public Option<bool> TlsVerify { get; } = new("--tls-verify")
    {
        Description = "Require HTTPS with a verified certificate (default true; false allows plain HTTP and unverified TLS for the registry)",
        DefaultValueFactory = _ => true,
    };

    public Option<string?> CertDir { get; } = new("--cert-dir") { Description = "Folder of CA certificates (*.crt) to trust for the registry" };

    public void AddTo(Command command)
    {
        command.Options.Add(TlsVerify);
        command.Options.Add(CertDir);
    }

    /// <summary>Options for one registry: these flags over what <see cref="RegistryEnvironment"/> reads.</summary>
    public RegistryOptions Options(ParseResult parse, CliContext context, string registry, ICredentialSource? credentials = null)
        => RegistryEnvironment.Options(context.Environment, parse.GetValue(TlsVerify) ? null : registry, parse.GetValue(CertDir), credentials) with
        {
            Timeout = context.NetworkTimeout(parse) ?? RegistryOptions.DefaultTimeout,
        };
}
