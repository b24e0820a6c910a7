using System.CommandLine;
using Tabula.Cli.Formatting;
using Tabula.Content;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Sbom;
using Tabula.Transports;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula push IMAGE [DESTINATION]</c>: an image of the local store to a registry.</summary>
internal static class PushVerb
{
    public static Command Create(CliContext context)
    {
        var image = new Argument<string>("IMAGE") { Description = "Image in the local store (name or ID)" };
        var destination = new Argument<string?>("DESTINATION") { Description = "Registry name to push to (default: the image's name)", Arity = ArgumentArity.ZeroOrOne };
        var platform = new Option<string?>("--platform") { Description = "For a multi-platform image whose platforms are not all in the store: which one to push" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output" };
        var flags = new RegistryFlags();
        var sbom = new SbomFlags();
        var command = new Command("push", "Upload an image to a registry") { image, destination, platform, quiet };
        flags.AddTo(command);
        sbom.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            var name = parse.GetValue(image)!;
            var source = await store.Resolver.ResolveAsync(name, ct);
            var target = parse.GetValue(destination) is { } d
                ? ImageReference.Parse(d)
                : ImageReference.TryParse(name, out var parsed) && parsed is not null && source.Names.Contains(parsed)
                    ? parsed
                    : throw new UsageException($"'{name}' is not a name of the image: give a DESTINATION to push to");
            var chosen = parse.GetValue(platform) is { } p ? Platform.Parse(p) : null;
            var attachment = sbom.Requested(parse) is { } format ? new SbomAttachment(format, null, SbomFlags.Epoch(context)) : null;
            await PushAsync(context, parse, flags, store, source, target, chosen, parse.GetValue(quiet), context.Out, ct, attachment);
            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>
    /// One image to one registry name, with docker's progress on <paramref name="output"/>: push's path, also taken by
    /// <c>build --push</c>; then, with <paramref name="sbom"/>, its SBOM attached to what was pushed.
    /// </summary>
    internal static async Task<PushResult> PushAsync(CliContext context, ParseResult parse, RegistryFlags flags, ImageStore store, StoredImage source, ImageReference target,
        Platform? platform, bool quiet, TextWriter output, CancellationToken ct, SbomAttachment? sbom = null)
    {
        using var client = new RegistryClient(target.Registry, flags.Options(parse, context, target.Registry));
        var mountedFrom = source.Names.FirstOrDefault(n => n.Registry == target.Registry && n.Repository != target.Repository)?.Repository;
        if (!quiet) output.WriteLine($"The push refers to repository [{target.Name}]");
        var result = await new RegistryPusher(store, client).PushAsync(source, target, platform,
            TransferDisplay.Create(output, quiet, TransferDisplay.IsTerminal(output), pushing: true, mountedFrom), ct);
        if (!quiet) output.WriteLine($"{target.Tag ?? target.Digest?.ToString()}: digest: {result.Digest} size: {result.Size}");
        if (sbom is not null)
        {
            var artifact = await sbom.AttachAsync(client, store, source, platform, target, result, ct);
            if (!quiet) output.WriteLine($"sbom: {sbom.Format.Name()} attached to {artifact.Subject}: digest: {artifact.Digest}{(artifact.FallbackTag is { } tag ? $" (listed in tag {tag})" : "")}");
        }
        return result;
    }
}
