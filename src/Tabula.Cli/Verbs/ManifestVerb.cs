using System.CommandLine;
using System.Text.Json;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Transports;

namespace Tabula.Cli.Verbs;

/// <summary>
/// <c>tabula manifest create|add|annotate|remove|inspect|push|rm</c>: a manifest list (an OCI image index) assembled in
/// the store from existing images, as <c>docker manifest</c> and <c>buildah manifest</c> do.
/// </summary>
internal static class ManifestVerb
{
    private const string SourceDescription = "A store image (NAME[:TAG] or ID), or docker://REF, oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME] (copied into the store)";

    public static Command Create(CliContext context)
    {
        var command = new Command("manifest", "Assemble, inspect and push manifest lists (multi-platform images)")
        {
            CreateCommand(context), AddCommand(context), AnnotateCommand(context), RemoveCommand(context), InspectCommand(context), PushCommand(context), RmCommand(context),
        };
        return command;
    }

    private static Command CreateCommand(CliContext context)
    {
        var list = ListArgument();
        var images = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.ZeroOrMore, Description = SourceDescription };
        var amend = new Option<bool>("--amend") { Description = "Add to the list of that name if it exists" };
        var all = new Option<bool>("--all") { Description = "From a multi-platform image, add every platform (default: this machine's)" };
        var registry = new RegistryFlags();
        var command = new Command("create", "Create a manifest list of images") { list, images, amend, all };
        registry.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var name = Name(parse.GetValue(list)!);
            var locations = parse.GetValue(images)!.Select(ImageArguments.Location).ToList();
            var created = await Lists(context, parse, registry).CreateAsync(name, locations, parse.GetValue(amend), parse.GetValue(all), ct);
            context.Out.WriteLine(created.Digest);
            return CliApp.Ok;
        });
        return command;
    }

    private static Command AddCommand(CliContext context)
    {
        var list = ListArgument();
        var image = new Argument<string>("IMAGE") { Description = SourceDescription };
        var all = new Option<bool>("--all") { Description = "From a multi-platform image, add every platform" };
        var overrides = new PlatformOverrides();
        var registry = new RegistryFlags();
        var command = new Command("add", "Add an image to a manifest list") { list, image, all };
        overrides.AddTo(command);
        registry.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            // --platform both picks the image of a multi-platform source and is what the entry then says.
            var chosen = overrides.Platform(parse);
            var added = await Lists(context, parse, registry).AddAsync(Name(parse.GetValue(list)!), ImageArguments.Location(parse.GetValue(image)!), chosen, parse.GetValue(all),
                overrides.Apply(parse) ?? (x => x), ct);
            context.Out.WriteLine(added.Digest);
            return CliApp.Ok;
        });
        return command;
    }

    private static Command AnnotateCommand(CliContext context)
    {
        var list = ListArgument();
        var digest = new Argument<string?>("DIGEST") { Arity = ArgumentArity.ZeroOrOne, Description = "The entry to annotate (omit with --index)" };
        var annotations = new Option<string[]>("--annotation") { Description = "KEY=VALUE, repeatable", AllowMultipleArgumentsPerToken = false };
        var index = new Option<bool>("--index") { Description = "Annotate the list itself rather than an entry" };
        var overrides = new PlatformOverrides();
        var command = new Command("annotate", "Add annotations or a platform to an entry of a manifest list") { list, digest, annotations, index };
        overrides.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var onIndex = parse.GetValue(index);
            Digest? entry = (parse.GetValue(digest), onIndex) switch
            {
                (null, true) => null,
                ({ } d, false) => ParseDigest(d),
                (null, false) => throw new UsageException("name the entry's DIGEST, or give --index to annotate the list itself"),
                _ => throw new UsageException("give either a DIGEST or --index"),
            };
            var change = overrides.Apply(parse);
            if (onIndex && change is not null) throw new UsageException("a platform belongs to an entry: name its DIGEST instead of --index");
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in parse.GetValue(annotations) ?? [])
            {
                int eq = pair.IndexOf('=');
                if (eq <= 0) throw new UsageException($"--annotation '{pair}': use KEY=VALUE");
                values[pair[..eq]] = pair[(eq + 1)..];
            }
            if (values.Count == 0 && change is null) throw new UsageException("nothing to change: give --annotation KEY=VALUE, --platform, --os, --arch or --variant");
            var annotated = await Lists(context, parse, new RegistryFlags()).AnnotateAsync(Name(parse.GetValue(list)!), entry, values, change, ct);
            context.Out.WriteLine(annotated.Digest);
            return CliApp.Ok;
        });
        return command;
    }

    private static Command RemoveCommand(CliContext context)
    {
        var list = ListArgument();
        var digest = new Argument<string>("DIGEST") { Description = "The entry to remove" };
        var command = new Command("remove", "Remove an entry from a manifest list") { list, digest };
        command.SetAction(async (parse, ct) =>
        {
            var removed = await Lists(context, parse, new RegistryFlags()).RemoveAsync(Name(parse.GetValue(list)!), ParseDigest(parse.GetValue(digest)!), ct);
            context.Out.WriteLine(removed.Digest);
            return CliApp.Ok;
        });
        return command;
    }

    private static Command InspectCommand(CliContext context)
    {
        var list = new Argument<string>("LIST") { Description = "A manifest list in the store, or docker://REF for a registry's" };
        var registry = new RegistryFlags();
        var command = new Command("inspect", "Show a manifest list") { list };
        registry.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var text = parse.GetValue(list)!;
            byte[] bytes;
            if (text.StartsWith("docker://", StringComparison.Ordinal))
            {
                var reference = ImageLocation.Parse(text).RegistryReference;
                using var client = new RegistryClient(reference.Registry, registry.Options(parse, context, reference.Registry));
                bytes = (await client.GetManifestAsync(reference.Repository, reference.Digest?.ToString() ?? reference.Tag ?? ImageReference.DefaultTag, ct)).Bytes;
            }
            else bytes = (await Lists(context, parse, registry).InspectAsync(Name(text), ct)).Bytes;
            context.Out.WriteLine(Indented(bytes));
            return CliApp.Ok;
        });
        return command;
    }

    private static Command PushCommand(CliContext context)
    {
        var list = ListArgument();
        var destination = new Argument<string>("DESTINATION") { Description = "Registry name to push to, e.g. registry.example/team/app:1 (docker:// optional)" };
        var all = new Option<bool>("--all") { Description = "Push the list's images as well (always done: every image of a list is in the store)" };
        var purge = new Option<bool>("--purge", "--rm") { Description = "Remove the list from the store after pushing" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output" };
        var registry = new RegistryFlags();
        var command = new Command("push", "Push a manifest list and its images to a registry") { list, destination, all, purge, quiet };
        registry.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var name = Name(parse.GetValue(list)!);
            var store = context.OpenStore(parse);
            var lists = Lists(context, parse, registry);
            _ = await lists.InspectAsync(name, ct);
            var stored = await store.Resolver.ResolveAsync(name.ToString(), ct);
            var target = parse.GetValue(destination)!;
            var reference = ImageReference.Parse(target.StartsWith("docker://", StringComparison.Ordinal) ? target[9..] : target);
            await PushVerb.PushAsync(context, parse, registry, store, stored, reference, null, parse.GetValue(quiet), context.Out, ct);
            if (parse.GetValue(purge)) await lists.RemoveListAsync(name, ct);
            return CliApp.Ok;
        });
        return command;
    }

    private static Command RmCommand(CliContext context)
    {
        var lists = new Argument<string[]>("LIST") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("rm", "Remove manifest lists from the store (their images stay)") { lists };
        command.SetAction(async (parse, ct) =>
        {
            foreach (var text in parse.GetValue(lists)!)
            {
                var name = Name(text);
                await Lists(context, parse, new RegistryFlags()).RemoveListAsync(name, ct);
                context.Out.WriteLine($"Removed: {name.ToFamiliarString()}");
            }
            return CliApp.Ok;
        });
        return command;
    }

    private static Argument<string> ListArgument() => new("LIST") { Description = "The manifest list's name in the store, e.g. app:1" };

    private static ManifestLists Lists(CliContext context, ParseResult parse, RegistryFlags registry)
    {
        Func<string, RegistryClient> clients = r => new RegistryClient(r, registry.Options(parse, context, r));
        return new ManifestLists(context.OpenStore(parse), new ImageSources(() => context.OpenStore(parse), clients, DockerDaemon.SocketFromEnvironment(context.Environment)), clients);
    }

    private static ImageReference Name(string text)
    {
        if (!ImageReference.TryParse(text, out var name)) throw new UsageException($"'{text}' is not a valid list name: use NAME[:TAG], e.g. app:1");
        if (name.Digest is not null) throw new UsageException($"a list name cannot hold a digest: use NAME[:TAG]");
        return name;
    }

    private static Digest ParseDigest(string text)
        => Digest.TryParse(text, out var digest) ? digest : throw new UsageException($"'{text}' is not a digest: give sha256:<64 hex digits> as 'tabula manifest inspect' shows");

    internal static Platform ParsePlatform(string text)
    {
        try { return Platform.Parse(text); }
        catch (FormatException e) { throw new UsageException(e.Message); }
    }

    /// <summary>The JSON made readable as docker manifest inspect prints it (the digest is of the stored bytes, not of this).</summary>
    private static string Indented(byte[] bytes)
    {
        using var document = JsonDocument.Parse(bytes);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            document.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary><c>--platform</c>, <c>--os</c>, <c>--arch</c>, <c>--variant</c>: what a list entry says it runs on, as <c>docker manifest annotate</c> sets it.</summary>
internal sealed class PlatformOverrides
{
    private readonly Option<string?> _platform = new("--platform") { Description = "The entry's platform OS/ARCH[/VARIANT] (for add, also which image of a multi-platform source)" };
    private readonly Option<string?> _os = new("--os") { Description = "Set the entry's operating system" };
    private readonly Option<string?> _arch = new("--arch") { Description = "Set the entry's architecture" };
    private readonly Option<string?> _variant = new("--variant") { Description = "Set the entry's architecture variant" };

    public void AddTo(Command command)
    {
        command.Options.Add(_platform);
        command.Options.Add(_os);
        command.Options.Add(_arch);
        command.Options.Add(_variant);
    }

    public Oci.Platform? Platform(ParseResult parse) => parse.GetValue(_platform) is { } p ? ManifestVerb.ParsePlatform(p) : null;

    /// <summary>The change asked for, or null when none.</summary>
    public Func<Oci.Platform, Oci.Platform>? Apply(ParseResult parse)
    {
        var whole = Platform(parse);
        var (os, arch, variant) = (parse.GetValue(_os), parse.GetValue(_arch), parse.GetValue(_variant));
        if (whole is null && os is null && arch is null && variant is null) return null;
        return current =>
        {
            var changed = whole is null ? current : current with { Os = whole.Os, Architecture = whole.Architecture, Variant = whole.Variant };
            changed = changed with { Os = os ?? changed.Os, Architecture = arch ?? changed.Architecture, Variant = variant ?? changed.Variant };
            return Oci.Platform.Normalize(changed);
        };
    }
}
