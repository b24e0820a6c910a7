using System.CommandLine;
using System.Text.Json;
using Tabula.Archives;
using Tabula.Cli.Formatting.Templates;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Transports;

namespace Tabula.Cli.Verbs;

/// <summary>
/// <c>tabula inspect</c>: docker image inspect's JSON array, for images in the store or where any transport reads
/// them (<c>docker://REF</c>, archives, layouts) without storing anything, as <c>skopeo inspect</c> does.
/// </summary>
internal static class InspectVerb
{
    public static Command Create(CliContext context)
    {
        var images = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.OneOrMore, Description = ImageArguments.Description };
        var format = new Option<string?>("--format", "-f") { Description = "A Go template over each image's JSON ('{{.Id}}', '{{json .Config}}'); 'json' for the JSON array" };
        var raw = new Option<bool>("--raw") { Description = "Print the manifest's exact bytes instead (what the name points at: an index stays an index unless --platform picks one)" };
        var sources = new ImageArguments();
        var command = new Command("inspect", "Show the configuration of images as JSON") { images, format, raw };
        sources.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var formatText = parse.GetValue(format)?.Trim();
            var template = formatText is null or "json" ? null : TemplateOutput.Parse(formatText, "--format");
            var wanted = sources.ChosenPlatform(parse);
            var result = new List<ImageInspectJson>();
            int failed = 0;
            foreach (var name in parse.GetValue(images)!)
            {
                // As docker's inspect: an image that is missing or cannot be read is one line on stderr naming it; the
                // others are still printed, and the exit code is 1.
                try
                {
                    var location = ImageArguments.Location(name);
                    if (parse.GetValue(raw))
                    {
                        // Exactly the bytes the digest is of (no newline added), so `| sha256sum` gives the digest.
                        context.Out.Write(System.Text.Encoding.UTF8.GetString((await RawManifestAsync(location, sources, parse, context, wanted, ct)).Span));
                        continue;
                    }
                    result.Add(location.Kind == TransportKind.Store
                        ? await FromStoreAsync(context.OpenStore(parse), location.Reference!, wanted, ct)
                        : await FromTransportAsync(location, sources, parse, context, wanted, ct));
                }
                catch (Exception e) when (e is ImageNotFoundException or AmbiguousImageException or PlatformNotFoundException)
                {
                    await context.ReportAsync(parse, $"Error: {e.Message.ReplaceLineEndings(" ")}", e);
                    failed++;
                }
                catch (Exception e) when (StoreDamage.IsDamage(e))
                {
                    await context.ReportAsync(parse, $"Error: image {name} cannot be read ({e.Message.ReplaceLineEndings(" ")}); remove it with 'tabula rmi' and pull or load it again", e);
                    failed++;
                }
            }
            if (parse.GetValue(raw)) return failed == 0 ? CliApp.Ok : CliApp.Failure;
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

    private static async Task<ImageInspectJson> FromStoreAsync(ImageStore store, string name, Platform? platform, CancellationToken cancellationToken)
    {
        var stored = await store.Resolver.ResolveAsync(name, cancellationToken);
        var image = await store.LoadAsync(stored, platform, cancellationToken);
        var size = (await ImageSize.ComputeAsync(store, image, cancellationToken)).Files;
        return Describe(image, stored.Id.ToString(), stored.Names, [], size);
    }

    /// <summary>
    /// An image read where it is. Its size is what its blobs take there (compressed layers and config): the files'
    /// size is only known by reading every layer, which inspecting must not cost.
    /// </summary>
    private static async Task<ImageInspectJson> FromTransportAsync(ImageLocation location, ImageArguments sources, ParseResult parse, CliContext context, Platform? platform, CancellationToken cancellationToken)
    {
        using var opened = await sources.Sources(parse, context).OpenAsync(location, platform, cancellationToken);
        var image = opened.Image;
        var digests = location.Kind == TransportKind.Registry
            ? [$"{location.RegistryReference.Name}@{image.ManifestDigest}"]
            : Array.Empty<string>();
        var size = image.Manifest.Config.Size + image.Manifest.Layers.Sum(l => l.Size);
        return Describe(image, image.Manifest.Config.Digest.ToString(), opened.Names.Where(n => n.Digest is null).ToList(), digests, size);
    }

    private static ImageInspectJson Describe(IImage image, string id, IReadOnlyList<ImageReference> names, IReadOnlyList<string> digests, long size)
    {
        var config = image.Config;
        return new ImageInspectJson
        {
            Id = id,
            RepoTags = names.Where(n => n.Tag is not null).Select(n => n.ToFamiliarString()).ToList(),
            RepoDigests = digests,
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
        };
    }

    /// <summary>The manifest as it is stored: for a registry the top-level one (an index too), else the chosen image's.</summary>
    private static async Task<ReadOnlyMemory<byte>> RawManifestAsync(ImageLocation location, ImageArguments sources, ParseResult parse, CliContext context, Platform? platform, CancellationToken cancellationToken)
    {
        if (location.Kind == TransportKind.Registry)
        {
            var reference = location.RegistryReference;
            using var client = new RegistryClient(reference.Registry, sources.Registry.Options(parse, context, reference.Registry));
            var manifest = await client.GetManifestAsync(reference.Repository, reference.Digest?.ToString() ?? reference.Tag ?? ImageReference.DefaultTag, cancellationToken);
            return manifest.Bytes;
        }
        if (location.Kind == TransportKind.Store)
        {
            var store = context.OpenStore(parse);
            // As for a registry: what the name points at, an index too, unless --platform asks for one image of it.
            var (stored, manifest) = await store.Indexes.ResolveAsync(location.Reference!, cancellationToken);
            return platform is null ? manifest.Bytes : (await store.LoadAsync(stored, platform, cancellationToken)).RawManifest;
        }
        using var opened = await sources.Sources(parse, context).OpenAsync(location, platform, cancellationToken);
        return opened.Image.RawManifest.ToArray();
    }
}
