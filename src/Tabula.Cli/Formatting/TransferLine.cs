namespace Tabula.Cli.Formatting;

/// <summary>
/// One layer's progress line made to fit a terminal row. The wide form is docker's
/// (<c>abc123def456: Downloading [==>   ]  1.2MB/3.4MB</c>, a 50-column bar); narrower rows shrink the bar, then drop it,
/// then the verb, and last cut the text with "...". A line is at most one column short of the width: a line that
/// fills the last column makes some terminals wrap, and the next cursor-up would then miss a row.
/// </summary>
public static class TransferLine
{
    public const int WideBar = 50;
    private const int NarrowestBar = 10;
    private const string Cut = "...";

    /// <summary>A finished layer's line (<c>abc123def456: Pull complete</c>), cut to fit.</summary>
    public static string Final(string id, string status, int width) => Ellipsize($"{id}: {status}", Usable(width));

    /// <summary>A moving layer's line: <paramref name="done"/> of <paramref name="size"/> bytes (size unknown when 0 or less).</summary>
    public static string Moving(string id, string verb, long size, long done, int width)
    {
        int usable = Usable(width);
        if (size <= 0)
        {
            var sofar = HumanUnits.Size(Math.Max(0, done));
            return Fitting(usable, $"{id}: {verb} {sofar}", $"{id}: {sofar}");
        }
        done = Math.Clamp(done, 0, size);
        var total = HumanUnits.Size(size);
        var bytes = $"{HumanUnits.Size(done)}/{total}";
        // The bar's width is set by the widest the byte count gets, so it does not jitter as the count grows.
        int fixedWidth = $"{id}: {verb} []  {total}/{total}".Length;
        int bar = Math.Min(WideBar, usable - fixedWidth);
        return bar >= NarrowestBar
            ? $"{id}: {verb} [{Bar(bar, done, size)}]  {bytes}"
            : Fitting(usable, $"{id}: {verb} {bytes}", $"{id}: {bytes}");
    }

    /// <summary>The columns a line may use: one less than the width, and at least one.</summary>
    public static int Usable(int width) => Math.Max(1, width - 1);

    /// <summary>The first form that fits in <paramref name="usable"/> columns, else the last one cut.</summary>
    private static string Fitting(int usable, params string[] forms)
    {
        foreach (var form in forms)
            if (form.Length <= usable) return form;
        return Ellipsize(forms[^1], usable);
    }

    public static string Ellipsize(string text, int usable)
    {
        if (text.Length <= usable) return text;
        return usable <= Cut.Length ? text[..usable] : text[..(usable - Cut.Length)] + Cut;
    }

    private static string Bar(int width, long done, long size)
    {
        int filled = (int)(width * done / size);
        return filled >= width ? new string('=', width) : new string('=', filled) + ">" + new string(' ', width - filled - 1);
    }
}
