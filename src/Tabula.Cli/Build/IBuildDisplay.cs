using Tabula.Build;

namespace Tabula.Cli.Build;

/// <summary>What a build shows: its events while it runs, then how it ended.</summary>
internal interface IBuildDisplay : IProgress<BuildEvent>, IDisposable
{
    /// <param name="names">The names the store gave the image (none when it went only to an output).</param>
    void Completed(BuildResult result, IReadOnlyList<Tabula.Oci.ImageReference> names);

    void Failed();
}

/// <summary>Builds chosen by <see cref="BuildProgressMode"/>.</summary>
internal static class BuildDisplay
{
    public static IBuildDisplay Create(BuildProgressMode mode, TextWriter output, TerminalSize terminal) => mode switch
    {
        BuildProgressMode.Tty => new TtyBuildView(output, terminal, TimeProvider.System, TtyBuildView.RefreshInterval),
        BuildProgressMode.RawJson => new RawJsonBuildPrinter(output, TimeProvider.System),
        BuildProgressMode.Quiet => new QuietBuildDisplay(output),
        _ => new PlainBuildPrinter(output),
    };

    /// <summary>Whether the writer is this process's stdout or stderr, and that a terminal.</summary>
    public static bool IsTerminal(TextWriter output)
        => Formatting.TransferDisplay.IsTerminal(output) || ReferenceEquals(output, Console.Error) && !Console.IsErrorRedirected;
}

/// <summary>The terminal's columns and rows; 0 rows when unknown (the view is then never cut to a height).</summary>
internal readonly record struct TerminalSize(int Width, int Height)
{
    /// <summary>The terminal's size when the view goes to one, else <c>COLUMNS</c> (a forced tty view into a pipe), else 80 columns.</summary>
    public static TerminalSize Current(bool terminal, Func<string, string?> environment)
    {
        try
        {
            if (terminal && Console.WindowWidth > 0) return new TerminalSize(Console.WindowWidth, Math.Max(0, Console.WindowHeight));
        }
        catch (IOException)
        {
            // No terminal after all: fall through to COLUMNS.
        }
        return new TerminalSize(int.TryParse(environment("COLUMNS"), out var columns) && columns > 0 ? columns : 80, 0);
    }
}

/// <summary><c>-q</c>: nothing while building, then the image ID.</summary>
internal sealed class QuietBuildDisplay(TextWriter output) : IBuildDisplay
{
    public void Report(BuildEvent value)
    {
    }

    public void Completed(BuildResult result, IReadOnlyList<Tabula.Oci.ImageReference> names) => output.WriteLine(result.ImageId);

    public void Failed()
    {
    }

    public void Dispose()
    {
    }
}
