using System.CommandLine;
using System.Text.Json;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula list-tags [docker://]REPOSITORY</c>: the tags a registry holds for a repository, as <c>skopeo list-tags</c> and <c>crane ls</c> list them.</summary>
internal static class ListTagsVerb
{
    public static Command Create(CliContext context)
    {
        var repositoryArg = new Argument<string>("REPOSITORY") { Description = "A registry repository: [docker://]HOST/NAME (a tag or digest on it is ignored)" };
        var format = ImageArguments.FormatOption();
        format.Description = "'table' (default: one tag per line) or 'json' (skopeo's {\"Repository\", \"Tags\"})";
        var registryFlags = new RegistryFlags();
        var command = new Command("list-tags", "List the tags of a repository in a registry") { repositoryArg, format };
        registryFlags.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var json = ImageArguments.IsJson(parse.GetValue(format));
            var text = parse.GetValue(repositoryArg)!;
            if (text.StartsWith("docker://", StringComparison.Ordinal)) text = text["docker://".Length..];
            if (!ImageReference.TryParse(text, out var reference) || reference is null)
                throw new UsageException($"invalid repository '{text}': give HOST/NAME, as docker://registry.example/team/app");
            using var client = new RegistryClient(reference.Registry, registryFlags.Options(parse, context, reference.Registry));
            var tags = await client.ListTagsAsync(reference.Repository, ct);
            if (json)
                context.Out.WriteLine(JsonSerializer.Serialize(new TagListJson($"{reference.Registry}/{reference.Repository}", tags), CliJsonContext.Readable.TagListJson));
            else
                foreach (var tag in tags) context.Out.WriteLine(tag);
            return CliApp.Ok;
        });
        return command;
    }
}
