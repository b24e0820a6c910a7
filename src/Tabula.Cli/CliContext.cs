using System.CommandLine;
using Tabula.Transports;

namespace Tabula.Cli;

/// <summary>What every verb shares: global options, the output writers and the environment.</summary>
internal sealed class CliContext(TextWriter output, TextWriter error, Func<string, string?> environment, Func<Stream>? input = null)
{
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;
    public Func<string, string?> Environment { get; } = environment;

    /// <summary>Standard input (a caller running the CLI in-process may give its own).</summary>
    public Stream OpenInput() => input is null ? Console.OpenStandardInput() : input();

    /// <summary>Whether something is piped in, rather than stdin being a terminal.</summary>
    public bool HasInput => input is not null || Console.IsInputRedirected;

    /// <summary>A person at a terminal (both ends): only then do destructive verbs ask before they act.</summary>
    public bool IsInteractive => input is null && !Console.IsInputRedirected && ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected;

    public Option<string?> RootOption { get; } = new("--root")
    {
        Description = "Local store location (default: $TABULA_ROOT, else $XDG_DATA_HOME/tabula)",
        Recursive = true,
    };

    public Option<bool> DebugOption { get; } = new("--debug")
    {
        Description = "Show full error details",
        Recursive = true,
    };

    public Option<string?> TimeoutOption { get; } = new("--timeout")
    {
        Description = "Network timeout per registry request: to connect, to the first answer, and per stall in a transfer (e.g. 20s, 2m, 0 for none; default $TABULA_TIMEOUT, else 20s)",
        Recursive = true,
    };

    /// <summary>An error a verb reports and goes on from (one of several images): its line, and with <c>--debug</c> the details.</summary>
    public async Task ReportAsync(ParseResult parse, string line, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(exception);
        await Error.WriteLineAsync(line).ConfigureAwait(false);
        if (parse.GetValue(DebugOption)) await Error.WriteLineAsync(exception.ToString()).ConfigureAwait(false);
    }

    /// <summary>The <c>--timeout</c> flag, else <c>TABULA_TIMEOUT</c>, else null (the library's default).</summary>
    public TimeSpan? NetworkTimeout(ParseResult parse)
    {
        if (parse.GetValue(TimeoutOption) is { Length: > 0 } flag) return DurationText.Parse(flag, "--timeout");
        return Environment("TABULA_TIMEOUT") is { Length: > 0 } variable ? DurationText.Parse(variable, "TABULA_TIMEOUT") : null;
    }

    public ImageStore OpenStore(ParseResult parse)
        => ImageStore.Open(parse.GetValue(RootOption) is { Length: > 0 } root ? root : ImageStore.DefaultRoot(Environment));
}
