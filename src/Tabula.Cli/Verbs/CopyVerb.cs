using System.CommandLine;
using Tabula.Cli.Formatting;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Transports;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula copy SOURCE DESTINATION</c>: one image between transports, named as skopeo names them.</summary>
internal static class CopyVerb
{
    public static Command Create(CliContext context)
    {
        var source = new Argument<string>("SOURCE") { Description = "docker://REF, store:NAME, oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME] or docker-daemon:NAME" };
        var destination = new Argument<string>("DESTINATION") { Description = "Same transports as SOURCE" };
        var platform = new Option<string?>("--platform") { Description = "From a multi-platform image: which platform (default: this machine's)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output" };
        var preserveDigests = new Option<bool>("--preserve-digests") { Description = "Keep the manifest as it is (an OCI layout or archive otherwise gets OCI media types); refuse where it cannot be kept" };
        var flags = new RegistryFlags();
        var command = new Command("copy", "Copy an image between registries, the store, OCI layouts and archives") { source, destination, platform, quiet, preserveDigests };
        flags.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var from = ParseLocation(parse.GetValue(source)!);
            var to = ParseLocation(parse.GetValue(destination)!);
            var store = context.OpenStore(parse);
            var copier = new ImageCopier(store, registry => new RegistryClient(registry, flags.Options(parse, context, registry)),
                dockerSocket: DockerDaemon.SocketFromEnvironment(context.Environment)) { PreserveDigests = parse.GetValue(preserveDigests) };
            var q = parse.GetValue(quiet);
            var digest = await copier.CopyAsync(from, to, parse.GetValue(platform) is { } p ? Platform.Parse(p) : null,
                TransferDisplay.Create(context.Out, q, TransferDisplay.IsTerminal(context.Out), pushing: to.Kind == TransportKind.Registry), ct);
            if (!q) context.Out.WriteLine($"Copied {from} to {to}: manifest {digest}");
            return CliApp.Ok;
        });
        return command;
    }

    private static ImageLocation ParseLocation(string text)
    {
        try { return ImageLocation.Parse(text); }
        catch (FormatException e) { throw new UsageException(e.Message); }
    }
}
