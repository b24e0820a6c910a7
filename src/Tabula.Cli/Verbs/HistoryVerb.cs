using System.CommandLine;
using System.Text.Json;
using Tabula.Cli.Formatting;
using Tabula.Cli.Formatting.Templates;
using Tabula.Content;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula history</c>: the steps that made an image, newest first, as docker prints them.</summary>
internal static class HistoryVerb
{
    /// <summary>docker's column names for the fields a table template prints.</summary>
    private static readonly Dictionary<string, string> Headers = new(StringComparer.Ordinal)
    {
        ["ID"] = "IMAGE", ["CreatedSince"] = "CREATED", ["CreatedAt"] = "CREATED AT", ["CreatedBy"] = "CREATED BY", ["Size"] = "SIZE", ["Comment"] = "COMMENT",
    };

    public static Command Create(CliContext context)
    {
        var imageArg = new Argument<string>("IMAGE");
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Don't truncate output" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only show image IDs" };
        var human = new Option<bool>("--human", "-H") { Description = "Print sizes and dates in human readable format", DefaultValueFactory = _ => true };
        var format = new Option<string?>("--format") { Description = "'table' (default), 'json' (one object per line), or a Go template over those fields ('{{.CreatedBy}}')" };
        var command = new Command("history", "Show the history of an image") { imageArg, noTrunc, quiet, human, format };
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            var name = parse.GetValue(imageArg)!;
            var stored = await store.Resolver.ResolveAsync(name, ct);
            bool full = parse.GetValue(noTrunc);
            bool readable = parse.GetValue(human);
            var now = DateTimeOffset.UtcNow;

            // Pair each non-empty history entry with its layer, oldest first. A damaged config or layer is one line
            // naming the image (as images and inspect say it), never a stack trace.
            var rows = new List<(string Created, string CreatedAt, string CreatedBy, string Size, string Comment)>();
            try
            {
                var image = await store.LoadAsync(stored, null, ct);
                int layer = 0;
                foreach (var entry in image.Config.History ?? [])
                {
                    long size = 0;
                    if (entry.EmptyLayer != true && layer < image.Layers.Count)
                        size = (await store.GetLayerStatsAsync(image.Layers[layer++], ct)).FilesSize;
                    var createdBy = (entry.CreatedBy ?? "").Replace('\t', ' ');
                    rows.Add((
                        readable ? HumanUnits.Ago(entry.Created, now) : entry.Created?.ToString("yyyy-MM-ddTHH:mm:sszzz") ?? "",
                        entry.Created?.ToString("yyyy-MM-ddTHH:mm:sszzz") ?? "",
                        full ? createdBy : HumanUnits.Ellipsis(createdBy.ReplaceLineEndings(" "), 45),
                        readable ? HumanUnits.Size(size) : size.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        entry.Comment ?? ""));
                }
            }
            catch (Exception e) when (StoreDamage.IsDamage(e))
            {
                await context.ReportAsync(parse, $"Error: image {name} cannot be read ({e.Message.ReplaceLineEndings(" ")}); remove it with 'tabula rmi' and pull or load it again", e);
                return CliApp.Failure;
            }
            rows.Reverse();
            var id = full ? stored.Id.ToString() : stored.Id.Short;
            if (parse.GetValue(quiet))
            {
                for (int i = 0; i < rows.Count; i++) context.Out.WriteLine(i == 0 ? id : "<missing>");
                return CliApp.Ok;
            }
            var formatText = parse.GetValue(format)?.Trim();
            if (formatText is not null && formatText != "table")
            {
                // docker's fields: CreatedAt is RFC 3339, CreatedSince and Size follow --human.
                var json = rows.Select((r, i) => JsonSerializer.SerializeToElement(
                    new HistoryRowJson(r.Comment, r.CreatedAt, r.CreatedBy, r.Created, i == 0 ? id : "<missing>", r.Size), CliJsonContext.Compact.HistoryRowJson));
                if (formatText == "json")
                    foreach (var row in json) context.Out.WriteLine(row.GetRawText());
                else
                    TemplateOutput.Write(TemplateOutput.Parse(formatText, "--format"), json, Headers, context.Out);
                return CliApp.Ok;
            }
            var table = new TextTable("IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
            for (int i = 0; i < rows.Count; i++)
                table.Add(i == 0 ? id : "<missing>", rows[i].Created, rows[i].CreatedBy, rows[i].Size, rows[i].Comment);
            table.WriteTo(context.Out);
            return CliApp.Ok;
        });
        return command;
    }
}
