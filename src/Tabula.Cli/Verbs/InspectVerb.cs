using System.CommandLine;
using System.Text.Json;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula inspect</c>: docker image inspect's JSON array.</summary>
internal static class InspectVerb
{
    public static Command Create(CliContext context)
    {
        var images = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.OneOrMore };
        var platform = new Option<string?>("--platform") { Description = "For a multi-platform image: which platform (default: this machine's)" };
        var command = new Command("inspect", "Show the configuration of images as JSON") { images, platform };
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            var wanted = parse.GetValue(platform) is { } p ? Platform.Parse(p) : null;
            var result = new List<ImageInspectJson>();
            foreach (var name in parse.GetValue(images)!)
            {
                var stored = await store.Resolver.ResolveAsync(name, ct);
                var image = await store.LoadAsync(stored, wanted, ct);
                long size = (await ImageSize.ComputeAsync(store, image, ct)).Files;
                var config = image.Config;
                result.Add(new ImageInspectJson
                {
                    Id = stored.Id.ToString(),
                    RepoTags = stored.Names.Where(n => n.Tag is not null).Select(n => n.ToFamiliarString()).ToList(),
                    RepoDigests = [],
                    Comment = config.History?.LastOrDefault()?.Comment ?? "",
                    Created = config.Created is { } c ? GoTime.Format(c) : null,
                    Author = config.Author ?? "",
                    Config = config.Config,
                    Architecture = config.Architecture,
                    Variant = config.Variant,
                    Os = config.Os,
                    Size = size,
                    RootFS = new RootFsJson(config.RootFs.Type, config.RootFs.DiffIds.Select(d => d.ToString()).ToList()),
                    Descriptor = new ManifestInfoJson(image.ManifestMediaType, image.ManifestDigest.ToString(), image.RawManifest.Length),
                });
            }
            context.Out.WriteLine(JsonSerializer.Serialize(result, CliJsonContext.Readable.ListImageInspectJson));
            return CliApp.Ok;
        });
        return command;
    }
}
