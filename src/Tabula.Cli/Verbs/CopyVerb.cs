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
        var platform = new Option<string?>("--platform") { Description = "From a multi-platform image: which platform (default: this machine's); several, comma-separated, copy that subset as a new index" };
        var all = new Option<bool>("--all", "-a") { Description = "Copy a multi-platform image whole: the index, nested indexes and every platform's image" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output" };
        var preserveDigests = new Option<bool>("--preserve-digests") { Description = "Keep the manifest as it is (an OCI layout or archive otherwise gets OCI media types); refuse where it cannot be kept" };
        var flags = new RegistryFlags();
        var command = new Command("copy", "Copy an image between registries, the store, OCI layouts and archives") { source, destination, platform, all, quiet, preserveDigests };
        flags.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var from = ParseLocation(parse.GetValue(source)!);
            var to = ParseLocation(parse.GetValue(destination)!);
            var store = context.OpenStore(parse);
            Func<string, RegistryClient> clients = registry => new RegistryClient(registry, flags.Options(parse, context, registry));
            var socket = DockerDaemon.SocketFromEnvironment(context.Environment);
            var q = parse.GetValue(quiet);
            var platforms = Platforms(parse.GetValue(platform));
            bool whole = parse.GetValue(all);
            if (whole && platforms is not null) throw new UsageException("--all copies every platform: give either --all or --platform");
            var display = TransferDisplay.Create(context.Out, q, TransferDisplay.IsTerminal(context.Out), pushing: to.Kind == TransportKind.Registry);
            var digest = whole || platforms is { Count: > 1 }
                ? await new IndexCopier(store, clients, socket) { PreserveDigests = parse.GetValue(preserveDigests) }.CopyAsync(from, to, platforms, display, ct)
                : await new ImageCopier(store, clients, dockerSocket: socket) { PreserveDigests = parse.GetValue(preserveDigests) }.CopyAsync(from, to, platforms?[0], display, ct);
            if (!q) context.Out.WriteLine($"Copied {from} to {to}: manifest {digest}");
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary><c>--platform a,b</c>: the platforms asked for, in order, or null when none.</summary>
    private static List<Platform>? Platforms(string? text)
    {
        if (text is null) return null;
        try { return text.Split(',', StringSplitOptions.TrimEntries).Select(Platform.Parse).ToList(); }
        catch (FormatException e) { throw new UsageException(e.Message); }
    }

    private static ImageLocation ParseLocation(string text)
    {
        try { return ImageLocation.Parse(text); }
        catch (FormatException e) { throw new UsageException(e.Message); }
    }
}
