using System.CommandLine;
using Tabula.Archives;
using Tabula.Oci;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula load</c>: docker archives (legacy or combined) and OCI archives, plain or gzip.</summary>
internal static class LoadVerb
{
    public static Command Create(CliContext context)
    {
        var input = new Option<string?>("--input", "-i") { Description = "Read from this file instead of stdin" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress the load output" };
        var platform = new Option<string?>("--platform") { Description = "For a multi-platform archive: which platform (default: this machine's)" };
        var compress = new Option<bool>("--compress") { Description = "Store uncompressed layers gzip-compressed now rather than when first pushed" };
        var command = new Command("load", "Load images from a tar archive into the local store") { input, quiet, platform, compress };
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            var options = new ArchiveLoadOptions(parse.GetValue(platform) is { } p ? Platform.Parse(p) : null, CompressLayers: parse.GetValue(compress));
            IReadOnlyList<LoadedImage> loaded;
            if (parse.GetValue(input) is { } path)
            {
                if (!File.Exists(path)) throw new FileNotFoundException($"open {path}: no such file", path);
                loaded = await ArchiveLoader.LoadAsync(path, store.Content, store.References, options, null, ct);
            }
            else
            {
                if (!context.HasInput)
                    throw new UsageException("requested load from stdin, but stdin is empty: use -i FILE or pipe an archive in");
                await using var stdin = context.OpenInput();
                loaded = await ArchiveLoader.LoadAsync(stdin, "stdin", store.Content, store.References, options, null, ct);
            }
            if (!parse.GetValue(quiet))
                foreach (var message in loaded.SelectMany(l => l.Messages)) context.Out.WriteLine(message);
            return CliApp.Ok;
        });
        return command;
    }
}
