using System.CommandLine;
using System.CommandLine.Completions;
using Tabula.Transports;

namespace Tabula.Cli.Completion;

/// <summary>
/// Offers the local store's image names wherever a verb takes an image of the store, so the shell completes
/// <c>tabula run deb</c> to <c>debian:bookworm</c>. Attached once over the command tree, by argument name, so
/// no verb has to know about completion.
/// </summary>
internal static class ImageNameCompletion
{
    private static readonly HashSet<string> ImageArguments = new(StringComparer.Ordinal) { "IMAGE", "SOURCE_IMAGE[:TAG]", "REPOSITORY[:TAG]" };

    public static void Attach(Command root, CliContext context)
    {
        foreach (var command in root.Subcommands)
            foreach (var argument in command.Arguments)
                if (ImageArguments.Contains(argument.Name))
                    argument.CompletionSources.Add(completion => Names(completion, context));
    }

    /// <summary>The store's names (as docker shows them); none when there is no store yet, which completion must not create.</summary>
    private static IEnumerable<CompletionItem> Names(CompletionContext completion, CliContext context)
    {
        var root = completion.ParseResult.GetValue(context.RootOption) is { Length: > 0 } given ? given : ImageStore.DefaultRoot(context.Environment);
        if (!File.Exists(Path.Combine(root, "index.json"))) return [];
        // A completion source is synchronous; a shell waits on it anyway, and the store's index is one small file.
        var images = ImageStore.Open(root).Resolver.ListAsync(CancellationToken.None).GetAwaiter().GetResult();
        return images.SelectMany(i => i.Names).Select(n => n.ToFamiliarString()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Where(n => n.StartsWith(completion.WordToComplete, StringComparison.Ordinal))
            .Select(n => new CompletionItem(n)).ToList();
    }
}
