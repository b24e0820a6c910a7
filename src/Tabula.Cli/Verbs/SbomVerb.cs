using System.CommandLine;
using System.Text;
using Tabula.Content;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Sbom;
using Tabula.Transports;

namespace Tabula.Cli.Verbs;

/// <summary>
/// <c>tabula sbom IMAGE</c>: the packages an image has installed (dpkg, apk) and its OS, as SPDX 2.3 or CycloneDX 1.6
/// JSON; <c>--from-registry REF</c> prints the SBOM attached to a registry image instead.
/// </summary>
internal static class SbomVerb
{
    public static Command Create(CliContext context)
    {
        var imageArg = new Argument<string>("IMAGE") { Description = ImageArguments.Description + "; with --from-registry, a registry reference" };
        var format = new Option<string?>("--format") { Description = "'spdx-json' (default) or 'cyclonedx-json'; with --from-registry, which attached SBOM to print (default: the last attached, either format)" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the document to this file (default: stdout)" };
        var fromRegistry = new Option<bool>("--from-registry") { Description = "Print the SBOM attached to the image in its registry (referrers API, else the sha256-DIGEST tag) instead of reading the image" };
        var image = new ImageArguments();
        var command = new Command("sbom", "List the packages an image holds, as an SPDX or CycloneDX SBOM") { imageArg, format, output, fromRegistry };
        image.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(imageArg)!;
            byte[] document;
            if (parse.GetValue(fromRegistry))
            {
                SbomFormat? wanted = parse.GetValue(format) is { } f ? SbomFlags.Parse(f, "--format") : null;
                document = await FromRegistryAsync(context, parse, image, name, wanted, ct);
            }
            else
            {
                var chosen = SbomFlags.Parse(parse.GetValue(format), "--format");
                using var opened = await image.Sources(parse, context).OpenAsync(ImageArguments.Location(name), image.ChosenPlatform(parse), ct);
                document = await ImageSbom.CreateAsync(opened.Image, name, chosen, SbomFlags.Epoch(context), ct);
            }
            if (parse.GetValue(output) is { } path) AtomicFile.Write(Path.GetFullPath(path), document, durable: false);
            else context.Out.Write(Encoding.UTF8.GetString(document));
            return CliApp.Ok;
        });
        return command;
    }

    private static async Task<byte[]> FromRegistryAsync(CliContext context, ParseResult parse, ImageArguments image, string name, SbomFormat? wanted, CancellationToken ct)
    {
        var text = name.StartsWith("docker://", StringComparison.Ordinal) ? name["docker://".Length..] : name;
        if (!ImageReference.TryParse(text, out var reference)) throw new UsageException($"--from-registry '{name}': give a registry reference (HOST/REPOSITORY:TAG or @DIGEST)");
        using var client = new RegistryClient(reference.Registry, image.Registry.Options(parse, context, reference.Registry));
        var subject = await client.GetManifestAsync(reference.Repository, reference.Digest?.ToString() ?? reference.Tag ?? ImageReference.DefaultTag, ct);
        string[] types = wanted is { } w ? [w.MediaType()] : [SbomFormats.SpdxMediaType, SbomFormats.CycloneDxMediaType];
        var attached = await ReferrerArtifacts.FindAsync(client, reference.Repository, subject.Digest, types, ct);
        if (attached.Count == 0)
            throw new RegistryException($"no SBOM{(wanted is { } x ? $" in {x.Name()}" : "")} is attached to {reference} ({subject.Digest}); attach one with 'tabula push --sbom'", System.Net.HttpStatusCode.NotFound);
        return await ReferrerArtifacts.ReadAsync(client, reference.Repository, attached[^1], ct);
    }
}
