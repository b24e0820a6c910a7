using System.CommandLine;
using Tabula.Content;
using Tabula.Oci;

namespace Tabula.Cli.Verbs;

/// <summary>
/// <c>tabula rmi</c>: by name, removes that name (and the image when it was its last name); by ID, removes the
/// image when it has at most one name, or with <c>--force</c>. Blobs go only on <c>prune</c>, and only when no
/// image uses them.
/// </summary>
internal static class RmiVerb
{
    public static Command Create(CliContext context)
    {
        var images = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.OneOrMore };
        var force = new Option<bool>("--force", "-f") { Description = "Remove an image by ID even when several names point at it" };
        var command = new Command("rmi", "Remove images from the local store") { images, force };
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            foreach (var text in parse.GetValue(images)!)
            {
                var stored = await store.Resolver.ResolveAsync(text, ct);
                var byName = ImageReference.TryParse(text, out var name) && name is not null && stored.Names.Contains(name);
                if (byName && stored.Names.Count > 1)
                {
                    await store.References.UntagAsync(name!, dropOrphan: true, ct);
                    context.Out.WriteLine($"Untagged: {name!.ToFamiliarString()}");
                    continue;
                }
                if (!byName && stored.Names.Count > 1 && !parse.GetValue(force))
                    throw new ImageInUseException(stored.Id, stored.Names);
                foreach (var n in stored.Names) context.Out.WriteLine($"Untagged: {n.ToFamiliarString()}");
                await store.References.RemoveAllAsync(stored.Manifest.Digest, ct);
                context.Out.WriteLine($"Deleted: {stored.Id}");
            }
            return CliApp.Ok;
        });
        return command;
    }
}
