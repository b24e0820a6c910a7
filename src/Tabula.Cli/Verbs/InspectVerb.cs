using System.CommandLine;
using System.Text.Json;
using Tabula.Archives;
using Tabula.Cli.Formatting.Templates;
using Tabula.Content;
using Tabula.Images;
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
        var format = new Option<string?>("--format", "-f") { Description = "A Go template over each image's JSON ('{{.Id}}', '{{json .Config}}'); 'json' for the JSON array" };
        var command = new Command("inspect", "Show the configuration of images as JSON") { images, platform, format };
        command.SetAction(async (parse, ct) =>
        {
            var formatText = parse.GetValue(format)?.Trim();
            var template = formatText is null or "json" ? null : TemplateOutput.Parse(formatText, "--format");
            var store = context.OpenStore(parse);
            var wanted = parse.GetValue(platform) is { } p ? Platform.Parse(p) : null;
            var result = new List<ImageInspectJson>();
            int failed = 0;
            foreach (var name in parse.GetValue(images)!)
            {
                // As docker's inspect: an image that is missing or cannot be read is one line on stderr naming it; the
                // others are still printed, and the exit code is 1.
                StoredImage stored;
                IImage image;
                long size;
                try
                {
                    stored = await store.Resolver.ResolveAsync(name, ct);
                    image = await store.LoadAsync(stored, wanted, ct);
                    size = (await ImageSize.ComputeAsync(store, image, ct)).Files;
                }
                catch (Exception e) when (e is ImageNotFoundException or AmbiguousImageException or PlatformNotFoundException)
                {
                    await context.ReportAsync(parse, $"Error: {e.Message.ReplaceLineEndings(" ")}", e);
                    failed++;
                    continue;
                }
                catch (Exception e) when (StoreDamage.IsDamage(e))
                {
                    await context.ReportAsync(parse, $"Error: image {name} cannot be read ({e.Message.ReplaceLineEndings(" ")}); remove it with 'tabula rmi' and pull or load it again", e);
                    failed++;
                    continue;
                }
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
            if (template is null)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(result, CliJsonContext.Readable.ListImageInspectJson));
            }
            else
            {
                foreach (var image in result)
                    context.Out.WriteLine(template.Render(JsonSerializer.SerializeToElement(image, CliJsonContext.Compact.ImageInspectJson)));
            }
            return failed == 0 ? CliApp.Ok : CliApp.Failure;
        });
        return command;
    }
}
