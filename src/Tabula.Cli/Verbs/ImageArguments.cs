using System.CommandLine;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Transports;

namespace Tabula.Cli.Verbs;

/// <summary>
/// What the verbs that only read an image (analyze, diff) share: an image named in the store or at any transport,
/// the platform to take from a multi-platform one, and the registry flags for <c>docker://</c>.
/// </summary>
internal sealed class ImageArguments
{
    public const string Description = "A store image (NAME[:TAG] or ID), or docker://REF, oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME], docker-daemon:NAME, store:NAME";

    public Option<string?> Platform { get; } = new("--platform") { Description = "For a multi-platform image: which platform (default: this machine's)" };
    public RegistryFlags Registry { get; } = new();

    public void AddTo(Command command)
    {
        command.Options.Add(Platform);
        Registry.AddTo(command);
    }

    public ImageSources Sources(ParseResult parse, CliContext context)
        => new(() => context.OpenStore(parse), registry => new RegistryClient(registry, Registry.Options(parse, context, registry)),
            DockerDaemon.SocketFromEnvironment(context.Environment));

    public Platform? ChosenPlatform(ParseResult parse) => parse.GetValue(Platform) is { } p ? Oci.Platform.Parse(p) : null;

    public static Option<string?> FormatOption() => new("--format") { Description = "'table' (default) or 'json'" };

    /// <summary>Whether <c>--format</c> asks for JSON (else a table); anything but the two is a usage error.</summary>
    public static bool IsJson(string? format) => format?.Trim() switch
    {
        null or "table" => false,
        "json" => true,
        var other => throw new UsageException($"--format '{other}': use 'table' or 'json'"),
    };

    public static ImageLocation Location(string text)
    {
        try { return ImageLocation.ParseOrStore(text); }
        catch (FormatException e) { throw new UsageException(e.Message); }
    }
}
