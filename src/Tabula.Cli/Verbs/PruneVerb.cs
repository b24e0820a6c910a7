using System.CommandLine;
using Tabula.Cli.Formatting;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula prune</c>: removes dangling images (or all unnamed ones), every blob no image uses and the snapshots (unpacked layers) of no image.</summary>
internal static class PruneVerb
{
    public static Command Create(CliContext context)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Also remove images that have names" };
        var command = new Command("prune", "Remove unused images and reclaim the space of unreferenced blobs") { all };
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            var images = await store.Resolver.ListAsync(ct);
            foreach (var image in images.Where(i => parse.GetValue(all) || i.Names.Count == 0))
            {
                await store.References.RemoveAllAsync(image.Manifest.Digest, ct);
                context.Out.WriteLine($"Deleted: {image.Id}");
            }
            var snapshots = Tabula.Runtime.Snapshots.SnapshotStore.ForStore(store.Content.Root);
            var result = await store.Collector.CollectAsync(ct, snapshots.Prune);
            context.Out.WriteLine($"Total reclaimed space: {HumanUnits.Size(result.BytesFreed)}");
            return CliApp.Ok;
        });
        return command;
    }
}
