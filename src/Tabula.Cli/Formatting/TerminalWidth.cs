namespace Tabula.Cli.Formatting;

/// <summary>The width of this process's terminal, asked again for every frame so a resized window is followed.</summary>
public static class TerminalWidth
{
    /// <summary>What a terminal that will not say its size is taken to be.</summary>
    public const int Fallback = 80;

    public static int Current()
    {
        try
        {
            return Console.WindowWidth is > 0 and var width ? width : Fallback;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return Fallback;
        }
    }
}
