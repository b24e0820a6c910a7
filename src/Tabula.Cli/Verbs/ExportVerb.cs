using System.CommandLine;
using Tabula.Layers;
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
            var openers = image.Layers.Select(l => (Func<CancellationToken, Task<Stream>>)l.OpenUncompressedAsync).ToList();
            await using var cursor = new LayerCursorOpener(openers);
            var tree = await RootfsUnpacker.MergeAsync(openers, cursor, ct);
            if (parse.GetValue(output) is { } path)
            {
                string temporary = path + ".tabula-partial";
                try
                {
                    await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                        await LayerEmitter.WriteLayerAsync(tree, file, ct);
                    File.Move(temporary, path, overwrite: true);
                }
                finally
                {
                    File.Delete(temporary);
                }
                return CliApp.Ok;
            }
            if (!Console.IsOutputRedirected)
                throw new UsageException("cowardly refusing to write an archive to a terminal: use -o FILE or redirect stdout");
            await using var stdout = Console.OpenStandardOutput();
            await LayerEmitter.WriteLayerAsync(tree, stdout, ct);
            return CliApp.Ok;
        });
        return command;
    }
}
