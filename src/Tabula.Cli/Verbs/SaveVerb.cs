using System.CommandLine;
using Tabula.Archives;
using Tabula.Oci;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula save</c>: images to a tar that <c>docker load</c> (or any OCI tool) takes.</summary>
internal static class SaveVerb
{
    public static Command Create(CliContext context)
    {
        var images = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file (default: stdout, which must not be a terminal)" };
        var format = new Option<string>("--format") { Description = "docker (legacy docker save layout, default), docker-oci (Docker 25+ combined layout) or oci-archive", DefaultValueFactory = _ => "docker" };
        var platform = new Option<string?>("--platform") { Description = "For a multi-platform image: which platform (default: this machine's)" };
        var preserveDigests = new Option<bool>("--preserve-digests") { Description = "oci-archive: keep the stored manifests as they are instead of giving them OCI media types" };
        var command = new Command("save", "Save images to a tar archive") { images, output, format, platform, preserveDigests };
        command.SetAction(async (parse, ct) =>
        {
            var archiveFormat = parse.GetValue(format) switch
            {
                "docker" or "docker-archive" => ArchiveFormat.Docker,
                "docker-oci" or "oci" => ArchiveFormat.DockerOci,
                "oci-archive" => ArchiveFormat.Oci,
                var other => throw new UsageException($"unknown --format '{other}': use docker, docker-oci or oci-archive"),
            };
            var store = context.OpenStore(parse);
            var selected = await SaveSelection.SelectAsync(store.Resolver, parse.GetValue(images)!, ct);
            var wanted = parse.GetValue(platform) is { } p ? Platform.Parse(p) : null;
            if (parse.GetValue(output) is { } path)
            {
                await ArchiveSaver.SaveAsync(store.Content, selected, archiveFormat, path, ct, wanted, parse.GetValue(preserveDigests));
                return CliApp.Ok;
            }
            if (!Console.IsOutputRedirected)
                throw new UsageException("cowardly refusing to write an archive to a terminal: use -o FILE or redirect stdout");
            await using var stdout = Console.OpenStandardOutput();
            await ArchiveSaver.SaveAsync(store.Content, selected, archiveFormat, stdout, ct, wanted, parse.GetValue(preserveDigests));
            return CliApp.Ok;
        });
        return command;
    }
}
