using System.CommandLine;
using System.Globalization;
using Tabula.Cli.Formatting;
using Tabula.Runtime.Snapshots;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula df</c> (docker's <c>system df</c>): what the store's images (their blobs) and snapshots (unpacked layers) take on disk.</summary>
internal static class DfVerb
{
    public static Command Create(CliContext context)
    {
        var command = new Command("df", "Show the disk space the store's images and snapshots use");
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            var images = await store.Resolver.ListAsync(ct);
            var (blobs, blobBytes) = store.Content.DiskUsage();
            var snapshots = SnapshotStore.ForStore(store.Content.Root, Tabula.Runtime.ContainerPrivileges.ForThisUser());
            var table = new TextTable("TYPE", "TOTAL", "SIZE");
            table.Add("Images", images.Count.ToString(CultureInfo.InvariantCulture), HumanUnits.Size(blobBytes) + $" ({blobs} blobs)");
            table.Add("Snapshots", snapshots.List().Count().ToString(CultureInfo.InvariantCulture), HumanUnits.Size(snapshots.DiskUsage()));
            table.WriteTo(context.Out);
            return CliApp.Ok;
        });
        return command;
    }
}
