using System.Text.Json;

namespace Tabula.Cli.Formatting.Templates;

/// <summary>Writes rows through a <c>--format</c> template: one rendering per row, or a table with a header row.</summary>
public static class TemplateOutput
{
    public static void Write(GoTemplate template, IEnumerable<JsonElement> rows, IReadOnlyDictionary<string, string> headers, TextWriter output)
    {
        if (!template.IsTable)
        {
            foreach (var row in rows) output.WriteLine(template.Render(row));
            return;
        }
        var table = new TextTable(template.RenderHeader(headers).Split('\t'));
        foreach (var row in rows) table.Add(template.Render(row).Split('\t'));
        table.WriteTo(output);
    }

    /// <summary>Parses a user's template; a bad one is a usage error naming the flag.</summary>
    public static GoTemplate Parse(string text, string flag)
    {
        try
        {
            return GoTemplate.Parse(text);
        }
        catch (TemplateException e)
        {
            throw new UsageException($"{flag}: {e.Message}");
        }
    }
}
