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
            var reference = ImageReference.Parse(parse.GetValue(image)!);
            bool q = parse.GetValue(quiet);
            using var client = new RegistryClient(reference.Registry, flags.Options(parse, context, reference.Registry));
            // Opening the store (a new one is made and synced) and the registry's first round trip wait for different
            // things: each goes on while the other waits. A store that cannot be opened is still the error reported.
            var opening = Task.Run(() => context.OpenStore(parse), ct);
            var ping = client.PingAsync(ct);
            var store = await opening;
            await ping;
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
