using Tabula.Build;
using Tabula.Transports;

namespace Tabula.Cli.Formatting;

/// <summary>
/// A build's base-image pulls (<see cref="BaseImageTransfer"/>), drawn as <c>pull</c> draws them: a <c>Pulling NAME</c>
/// line when an image starts, then per layer either bars redrawn in place (terminal) or a plain line as each finishes.
/// The build's printer owns the lock: it calls <see cref="Report"/> for these events and <see cref="Interrupt"/> before
/// writing any other line, so bars never draw over a step's output.
/// </summary>
public sealed class BaseImagePullDisplay(TextWriter output, bool terminal, Func<int>? width = null)
{
    private readonly Dictionary<string, IProgress<TransferEvent>> _pulls = new(StringComparer.Ordinal);

    public void Report(BaseImageTransfer value)
    {
        if (!_pulls.TryGetValue(value.Image, out var display))
        {
            Interrupt();
            output.WriteLine($"Pulling {value.Image}");
            display = TransferDisplay.Create(output, quiet: false, terminal, pushing: false, width: width)!;
            _pulls[value.Image] = display;
        }
        display.Report(value.Transfer);
    }

    /// <summary>Another line is about to be written: the bars drawn so far stay, later ones start below it.</summary>
    public void Interrupt()
    {
        foreach (var display in _pulls.Values)
            if (display is TransferBars bars) bars.Seal();
    }
}
