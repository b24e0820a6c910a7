using System.CommandLine;
using Tabula.Cli.Formatting;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Transports;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula pull</c>: an image from a registry into the local store, as docker pull.</summary>
internal static class PullVerb
{
    public static Command Create(CliContext context)
    {
        var image = new Argument<string>("NAME[:TAG|@DIGEST]");
        var platform = new Option<string?>("--platform") { Description = "From a multi-platform image: which platform (default: this machine's)" };
        var allPlatforms = new Option<bool>("--all-platforms", "-a") { Description = "Pull every platform of a multi-platform image, and the index" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the image name, no progress" };
        var flags = new RegistryFlags();
        var command = new Command("pull", "Download an image from a registry") { image, platform, allPlatforms, quiet };
        flags.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            var reference = ImageReference.Parse(parse.GetValue(image)!);
            bool q = parse.GetValue(quiet);
            using var client = new RegistryClient(reference.Registry, flags.Options(parse, context, reference.Registry));
            if (!q)
            {
                if (ImageReference.ParseNamed(parse.GetValue(image)!) is { Tag: null, Digest: null })
                    context.Out.WriteLine($"Using default tag: {ImageReference.DefaultTag}");
                context.Out.WriteLine($"{reference.Tag ?? reference.Digest?.ToString()}: Pulling from {reference.Repository}");
            }
            var result = await new RegistryPuller(store, client).PullAsync(reference,
                parse.GetValue(platform) is { } p ? Platform.Parse(p) : null, parse.GetValue(allPlatforms), TransferDisplay.Create(context.Out, q, TransferDisplay.IsTerminal(context.Out), pushing: false), ct);
            if (!q)
            {
                context.Out.WriteLine($"Digest: {result.RemoteDigest}");
                context.Out.WriteLine(result.Downloaded
                    ? $"Status: Downloaded newer image for {reference.ToFamiliarString()}"
                    : $"Status: Image is up to date for {reference.ToFamiliarString()}");
            }
            context.Out.WriteLine(reference.ToString());
            return CliApp.Ok;
        });
        return command;
    }
}

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

    /// <summary>Options for one registry; <c>TABULA_INSECURE_REGISTRIES</c> (comma-separated hosts) adds insecure hosts.</summary>
    public RegistryOptions Options(ParseResult parse, CliContext context, string registry, ICredentialSource? credentials = null)
        => ForEnvironment(context.Environment, registry, !parse.GetValue(TlsVerify), parse.GetValue(CertDir), credentials) with
        {
            Timeout = context.NetworkTimeout(parse) ?? RegistryOptions.DefaultTimeout,
        };

    public static RegistryOptions ForEnvironment(Func<string, string?> environment, string registry, bool insecure, string? certDir, ICredentialSource? credentials = null)
    {
        var hosts = new HashSet<string>((environment("TABULA_INSECURE_REGISTRIES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (insecure) hosts.Add(registry);
        return new RegistryOptions
        {
            InsecureRegistries = hosts,
            CertificateDirectory = certDir ?? (environment("TABULA_CERT_DIR") is { Length: > 0 } d ? d : null),
            Credentials = credentials ?? DockerConfigFile.FromEnvironment(environment),
        };
    }
}
