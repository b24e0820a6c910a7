using System.CommandLine;
using Tabula.Oci;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula tag SOURCE TARGET</c>.</summary>
internal static class TagVerb
{
    public static Command Create(CliContext context)
    {
        var source = new Argument<string>("SOURCE_IMAGE[:TAG]");
        var target = new Argument<string>("TARGET_IMAGE[:TAG]");
        var command = new Command("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE") { source, target };
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            var stored = await store.Resolver.ResolveAsync(parse.GetValue(source)!, ct);
            var name = ImageReference.Parse(parse.GetValue(target)!);
            if (name.Digest is not null) throw new UsageException("a tag cannot contain a digest: give TARGET_IMAGE[:TAG]");
            await store.References.TagAsync(name, stored.Manifest, ct);
            return CliApp.Ok;
        });
        return command;
    }
}
