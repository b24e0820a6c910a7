using System.CommandLine;
using Tabula.Oci;
using Tabula.Runtime;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula export IMAGE -o rootfs.tar</c>: the image's merged filesystem as one tar (whiteouts applied).</summary>
internal static class ExportVerb
{
    public static Command Create(CliContext context)
    {
        var imageArg = new Argument<string>("IMAGE");
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file (default: stdout, which must not be a terminal)" };
        var platform = new Option<string?>("--platform") { Description = "For a multi-platform image: which platform" };
        var command = new Command("export", "Export an image's filesystem as a tar archive") { imageArg, output, platform };
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            var stored = await store.Resolver.ResolveAsync(parse.GetValue(imageArg)!, ct);
            var image = await store.LoadAsync(stored, parse.GetValue(platform) is { } p ? Platform.Parse(p) : null, ct);
            if (parse.GetValue(output) is { } path)
            {
                await RootfsExport.WriteTarAsync(image, path, ct);
                return CliApp.Ok;
            }
            if (!Console.IsOutputRedirected)
                throw new UsageException("cowardly refusing to write an archive to a terminal: use -o FILE or redirect stdout");
            await using var stdout = Console.OpenStandardOutput();
            await RootfsExport.WriteTarAsync(image, stdout, ct);
            return CliApp.Ok;
        });
        return command;
    }
}
