using Tabula.Build;
using Tabula.Build.SharedCache;
using Tabula.Transports;

namespace Tabula.Cli.Formatting;

/// <summary>
/// A build's base-image pulls (<see cref="BaseImageTransfer"/>), drawn as <c>pull</c> draws them, and its shared caches'
/// blobs (<see cref="CacheTransfer"/>) as <c>push</c> and <c>pull</c> do: a <c>Pulling NAME</c> (<c>Exporting cache to REF</c>, …)
/// line when an image or cache starts, then per layer either bars redrawn in place (terminal) or a plain line as each finishes.
/// The build's printer owns the lock: it calls <c>Report</c> for these events and <see cref="Interrupt"/> before
/// writing any other line, so bars never draw over a step's output.
/// </summary>
public sealed class BaseImagePullDisplay(TextWriter output, bool terminal, Func<int>? width = null)
{
    private readonly Dictionary<string, IProgress<TransferEvent>> _pulls = new(StringComparer.Ordinal);

    public void Report(BaseImageTransfer value) => Report($"Pulling {value.Image}", pushing: false, value.Transfer);

    /// <summary>A blob of a shared cache's import or export, under <c>Importing cache from REF</c> or <c>Exporting cache to REF</c>.</summary>
    public void Report(CacheTransfer value)
        => Report(value.Exporting ? $"Exporting cache to {value.Cache}" : $"Importing cache from {value.Cache}", value.Exporting, value.Transfer);

    /// <summary>A blob's event under the transfer named <paramref name="title"/>, which is printed before its first blob.</summary>
    private void Report(string title, bool pushing, TransferEvent transfer)
    {
        if (!_pulls.TryGetValue(title, out var display))
        {
            Interrupt();
            output.WriteLine(title);
            display = TransferDisplay.Create(output, quiet: false, terminal, pushing, width: width)!;
            _pulls[title] = display;
        }
        display.Report(transfer);
    }

    /// <summary>Another line is about to be written: the bars drawn so far stay, later ones start below it.</summary>
    public void Interrupt()
    {
        foreach (var display in _pulls.Values)
            if (display is TransferBars bars) bars.Seal();
    }
}
