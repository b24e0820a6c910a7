using System.CommandLine;
using Tabula.Content;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula verify [IMAGE...]</c>: checks the store's images (all by default) blob by blob; exit 1 when anything is wrong.</summary>
internal static class VerifyVerb
{
    public static Command Create(CliContext context)
    {
        var images = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.ZeroOrMore, Description = "Images to check (default: every image in the store)" };
        var command = new Command("verify", "Check that every blob of the store's images is there, whole and the one its digest names") { images };
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            var wanted = parse.GetValue(images) ?? [];
            var stored = wanted.Length == 0
                ? await store.Resolver.ListAsync(ct)
                : await Task.WhenAll(wanted.Select(name => store.Resolver.ResolveAsync(name, ct)));
            var problems = await new StoreVerifier(store.Content).VerifyAsync(stored, NameOf, ct);
            foreach (var problem in problems) await context.Out.WriteLineAsync($"{problem.Image}: {problem.What}");
            var bad = problems.Select(p => p.Image).ToHashSet(StringComparer.Ordinal);
            await context.Out.WriteLineAsync($"{stored.Count} images checked, {bad.Count} with problems");
            return bad.Count == 0 ? CliApp.Ok : CliApp.Failure;
        });
        return command;
    }

    private static string NameOf(StoredImage image)
        => image.Names.Count > 0 ? string.Join(", ", image.Names.Select(n => n.ToFamiliarString())) : image.Id.Short;
}
