using System.CommandLine;
using Tabula.Cli.Formatting;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula prune</c>: removes dangling images (or all unnamed ones), every blob no image uses and the snapshots (unpacked layers) of no image.</summary>
internal static class PruneVerb
{
    public static Command Create(CliContext context)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Also remove images that have names" };
        var force = new Option<bool>("--force", "-f") { Description = "Do not ask for confirmation (asked only on a terminal)" };
        var command = new Command("prune", "Remove unused images and reclaim the space of unreferenced blobs") { all, force };
        command.SetAction(async (parse, ct) =>
        {
            if (!parse.GetValue(force) && context.IsInteractive)
            {
                await context.Out.WriteAsync(parse.GetValue(all)
                    ? "WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] "
                    : "WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ");
                await context.Out.FlushAsync(ct);
                var answer = Console.ReadLine()?.Trim();
                if (answer is not ("y" or "Y" or "yes" or "Yes"))
                {
                    context.Out.WriteLine("Total reclaimed space: 0B");
                    return CliApp.Ok;
                }
            }
            var store = context.OpenStore(parse);
            var images = await store.Resolver.ListAsync(ct);
            foreach (var image in images.Where(i => parse.GetValue(all) || i.Names.Count == 0))
            {
                await store.References.RemoveAllAsync(image.Manifest.Digest, ct);
                context.Out.WriteLine($"Deleted: {image.Id}");
            }
            var snapshots = Tabula.Runtime.Snapshots.SnapshotStore.ForStore(store.Content.Root, Tabula.Runtime.ContainerPrivileges.ForThisUser());
            var result = await store.Collector.CollectAsync(ct, snapshots.Prune);
            context.Out.WriteLine($"Total reclaimed space: {HumanUnits.Size(result.BytesFreed)}");
            return CliApp.Ok;
        });
        return command;
    }
}
