using System.CommandLine;
using System.Text.Json;
using Tabula.Cli.Formatting;
using Tabula.Cli.Formatting.Templates;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula images</c>: docker's image list.</summary>
internal static class ImagesVerb
{
    /// <summary>docker's column names for the fields a table template prints.</summary>
    private static readonly Dictionary<string, string> Headers = new(StringComparer.Ordinal)
    {
        ["ID"] = "IMAGE ID", ["Repository"] = "REPOSITORY", ["Tag"] = "TAG", ["Digest"] = "DIGEST", ["CreatedSince"] = "CREATED",
        ["CreatedAt"] = "CREATED AT", ["Size"] = "SIZE", ["SharedSize"] = "SHARED SIZE", ["UniqueSize"] = "UNIQUE SIZE",
        ["VirtualSize"] = "SIZE", ["Containers"] = "CONTAINERS", ["ContentSize"] = "CONTENT SIZE",
    };

    public static Command Create(CliContext context)
    {
        var repository = new Argument<string?>("REPOSITORY[:TAG]") { Arity = ArgumentArity.ZeroOrOne, Description = "Only images with this name" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only show image IDs" };
        var digests = new Option<bool>("--digests") { Description = "Show manifest digests" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Don't truncate output" };
        var format = new Option<string?>("--format") { Description = "'table' (default), 'json' (one object per line), or a Go template over those fields ('table {{.Repository}}\\t{{.Tag}}', '{{.ID}}')" };
        var filter = new Option<string[]>("--filter", "-f") { Description = "Only images that match: reference=GLOB, dangling=true|false, label=KEY[=VALUE], before=IMAGE, since=IMAGE (repeatable)" };
        var all = new Option<bool>("--all", "-a") { Description = "All images (there are no intermediate images to hide, so the same list)" };
        var command = new Command("images", "List images in the local store") { repository, quiet, digests, noTrunc, format, filter, all };
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            var filters = ImageFilters.Parse(parse.GetValue(filter) ?? []);
            var rows = await filters.ApplyAsync(store, await ImageListing.ListAsync(store, parse.GetValue(repository), ct), ct);
            var now = DateTimeOffset.UtcNow;
            foreach (var row in rows)
                if (row.Summary.Problem is { } problem)
                    await context.Error.WriteLineAsync($"warning: image {(row.Repository == ImageListing.None ? row.Summary.Stored.Id.Short : row.Repository + ":" + row.Tag)} cannot be read ({problem.ReplaceLineEndings(" ")}); remove it with 'tabula rmi' and pull or load it again");

            bool full = parse.GetValue(noTrunc);
            string Id(Digest id) => full ? id.ToString() : id.Short;

            if (parse.GetValue(quiet))
            {
                foreach (var id in rows.Select(r => Id(r.Summary.Stored.Id)).Distinct()) context.Out.WriteLine(id);
                return CliApp.Ok;
            }
            var formatText = parse.GetValue(format)?.Trim();
            if (formatText is not null && formatText != "table")
            {
                ImageListJson Json(ImageListEntry row) => new("N/A", HumanUnits.GoTimeString(row.Summary.Created),
                    HumanUnits.Ago(row.Summary.Created, now), row.Summary.Stored.Manifest.Digest.ToString(), Id(row.Summary.Stored.Id), row.Repository, "N/A",
                    HumanUnits.Size(row.Summary.Size.Files), row.Tag, "N/A", HumanUnits.Size(row.Summary.Size.Files), row.Summary.Size.Content);
                if (formatText == "json")
                {
                    foreach (var row in rows) context.Out.WriteLine(JsonSerializer.Serialize(Json(row), CliJsonContext.Compact.ImageListJson));
                    return CliApp.Ok;
                }
                var template = TemplateOutput.Parse(formatText, "--format");
                TemplateOutput.Write(template, rows.Select(r => JsonSerializer.SerializeToElement(Json(r), CliJsonContext.Compact.ImageListJson)), Headers, context.Out);
                return CliApp.Ok;
            }

            bool withDigests = parse.GetValue(digests);
            var table = withDigests
                ? new TextTable("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE")
                : new TextTable("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
            foreach (var (summary, repo, tag) in rows)
            {
                var cells = new List<string> { repo, tag };
                if (withDigests) cells.Add(summary.Stored.Manifest.Digest.ToString());
                cells.AddRange([Id(summary.Stored.Id), HumanUnits.Ago(summary.Created, now), summary.Problem is null ? HumanUnits.Size(summary.Size.Files) : "unreadable"]);
                table.Add([.. cells]);
            }
            table.WriteTo(context.Out);
            return CliApp.Ok;
        });
        return command;
    }
}
