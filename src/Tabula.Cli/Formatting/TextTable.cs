namespace Tabula.Cli.Formatting;

/// <summary>Columns padded like Go's tabwriter with the docker CLI's settings (min width 10, padding 3).</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [headers];

    public void Add(params string[] cells) => _rows.Add(cells);

    public void WriteTo(TextWriter writer)
    {
        int columns = _rows.Max(r => r.Length);
        var widths = new int[columns];
        foreach (var row in _rows)
            for (int i = 0; i < row.Length; i++)
                widths[i] = Math.Max(widths[i], Math.Max(10, row[i].Length + 3));
        foreach (var row in _rows)
        {
            var line = string.Concat(row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i])));
            writer.WriteLine(line.TrimEnd());
        }
    }
}
