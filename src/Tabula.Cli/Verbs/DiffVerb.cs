using System.CommandLine;
using System.Text.Json;
using Tabula.Analysis;
using Tabula.Cli.Formatting;
using Tabula.Layers;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula diff A B</c>: the files two images' final filesystems add, remove and change, with sizes and metadata.</summary>
internal static class DiffVerb
{
    public static Command Create(CliContext context)
    {
        var beforeArg = new Argument<string>("IMAGE1") { Description = ImageArguments.Description };
        var afterArg = new Argument<string>("IMAGE2") { Description = "The image to compare with IMAGE1, named the same ways" };
        var format = ImageArguments.FormatOption();
        var image = new ImageArguments();
        var command = new Command("diff", "Show the files added, removed and changed from one image to another") { beforeArg, afterArg, format };
        image.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var json = ImageArguments.IsJson(parse.GetValue(format));
            var (beforeName, afterName) = (parse.GetValue(beforeArg)!, parse.GetValue(afterArg)!);
            var sources = image.Sources(parse, context);
            var platform = image.ChosenPlatform(parse);
            using var before = await sources.OpenAsync(ImageArguments.Location(beforeName), platform, ct);
            using var after = await sources.OpenAsync(ImageArguments.Location(afterName), platform, ct);
            var differences = await ImageDiff.CompareAsync(before.Image, after.Image, ct);
            if (json)
            {
                var document = new DiffJson(beforeName, afterName, differences.Select(d => new DiffEntryJson(
                    d.Change.ToString().ToLowerInvariant(), "/" + d.Path, StateJson(d.Before), StateJson(d.After), d.Differences)).ToList());
                context.Out.WriteLine(JsonSerializer.Serialize(document, AnalysisJsonContext.Readable.DiffJson));
                return CliApp.Ok;
            }
            var table = new TextTable("CHANGE", "TYPE", "BEFORE", "AFTER", "WHAT", "PATH");
            foreach (var d in differences)
            {
                var type = TypeName((d.After ?? d.Before)!.Type);
                table.Add(d.Change switch { PathChange.Added => "A", PathChange.Removed => "D", _ => "C" }, type,
                    d.Before is null ? "-" : HumanUnits.Size(d.Before.Size), d.After is null ? "-" : HumanUnits.Size(d.After.Size),
                    d.Change == PathChange.Changed ? string.Join(", ", d.Differences.Select(w => Detail(w, d.Before!, d.After!))) : "-", "/" + d.Path);
            }
            if (differences.Count > 0) table.WriteTo(context.Out);
            context.Out.WriteLine($"{differences.Count(d => d.Change == PathChange.Added)} added, {differences.Count(d => d.Change == PathChange.Removed)} removed, {differences.Count(d => d.Change == PathChange.Changed)} changed");
            return CliApp.Ok;
        });
        return command;
    }

    private static string Detail(string what, PathState a, PathState b) => what switch
    {
        "type" => $"type {TypeName(a.Type)}→{TypeName(b.Type)}",
        "mode" => $"mode {Octal(a.Mode)}→{Octal(b.Mode)}",
        "owner" => $"owner {a.Uid}:{a.Gid}→{b.Uid}:{b.Gid}",
        "link" => $"link {a.LinkTarget}→{b.LinkTarget}",
        _ => what,
    };

    private static PathStateJson? StateJson(PathState? state) => state is null ? null
        : new(TypeName(state.Type), state.Size, Octal(state.Mode), state.Uid, state.Gid, state.LinkTarget.Length == 0 ? null : state.LinkTarget, state.Hash?.ToString());

    private static string Octal(int mode) => Convert.ToString(mode, 8).PadLeft(4, '0');

    private static string TypeName(LayerEntryType type) => type switch
    {
        LayerEntryType.RegularFile => "file",
        LayerEntryType.Directory => "dir",
        LayerEntryType.Symlink => "symlink",
        LayerEntryType.Hardlink => "hardlink",
        LayerEntryType.CharacterDevice => "char",
        LayerEntryType.BlockDevice => "block",
        LayerEntryType.Fifo => "fifo",
        _ => type.ToString().ToLowerInvariant(),
    };
}
