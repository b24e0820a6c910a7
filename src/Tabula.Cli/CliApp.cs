using System.CommandLine;
using System.CommandLine.Help;
using System.Text.Json;
using Tabula.Cli.Verbs;
using Tabula.IO;

namespace Tabula.Cli;

/// <summary>The command line: verbs named and flagged like docker's, one line per error, exit codes 0/1/2.</summary>
public static class CliApp
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
        => RunAsync(args, output, error, environment, null, cancellationToken);

    /// <param name="input">Standard input, when not this process's own (a caller running the CLI in-process).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?> environment, Func<Stream>? input, CancellationToken cancellationToken)
    {
        var context = new CliContext(output, error, environment, input);
        var root = new RootCommand("Tabula: build, store, inspect and move container images, with no daemon.");
        root.Options.Add(context.RootOption);
        root.Options.Add(context.DebugOption);
        root.Options.Add(context.TimeoutOption);
        foreach (var verb in Verbs(context)) root.Subcommands.Add(verb);
        Completion.ImageNameCompletion.Attach(root, context);
        if (args is [var first, ..] && first.StartsWith("[suggest", StringComparison.Ordinal))
            return await SuggestAsync(root, args, output, error, cancellationToken).ConfigureAwait(false);

        args = DockerHabits.Rewrite(args);
        if (DockerHabits.UnsupportedRunFlag(args) is { } refusal)
        {
            await error.WriteLineAsync($"Error: {refusal}").ConfigureAwait(false);
            await error.WriteLineAsync("See 'tabula run --help'.").ConfigureAwait(false);
            return Usage;
        }
        int verbAt = DockerHabits.VerbIndex(args);
        if (verbAt >= 0 && !root.Subcommands.Any(c => c.Name == args[verbAt]))
        {
            var suggestion = DockerHabits.DidYouMean(args[verbAt], root.Subcommands.Select(c => c.Name));
            await error.WriteLineAsync($"Error: unknown command '{args[verbAt]}'{(suggestion is null ? "" : $" (did you mean '{suggestion}'?)")}").ConfigureAwait(false);
            await error.WriteLineAsync("See 'tabula --help'.").ConfigureAwait(false);
            return Usage;
        }
        args = RunArguments.SeparateCommand(args);
        var parse = root.Parse(args);
        // An unknown flag took the place of an argument, so the argument itself looks unknown: name only the flag.
        var unknownFlags = UnknownFlags(parse, args).ToList();
        var errors = unknownFlags.Count > 0 ? unknownFlags : parse.Errors.Select(e => e.Message).ToList();
        if (errors.Count > 0)
        {
            foreach (var message in errors) await error.WriteLineAsync($"Error: {message}").ConfigureAwait(false);
            await error.WriteLineAsync($"See '{string.Join(' ', CommandPath(parse).Prepend("tabula"))} --help'.").ConfigureAwait(false);
            return Usage;
        }
        try
        {
            _ = context.NetworkTimeout(parse); // a bad --timeout is a usage error whichever verb it came with
            // Every verb hashes (and many speak TLS): without OpenSSL .NET would abort at the first digest, so ask first.
            // Help and --version need nothing.
            if (parse.CommandResult.Command is not RootCommand && parse.Action is not HelpAction) OpenSsl.EnsureAvailable();
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException)
        {
            await error.WriteLineAsync("Error: cancelled; nothing was left half-written").ConfigureAwait(false);
            return 130;
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            await error.WriteLineAsync($"Error: {OneLine(UserMessage(e))}").ConfigureAwait(false);
            if (parse.GetValue(context.DebugOption)) await error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            return e is UsageException ? Usage : Failure;
        }
        catch (Exception e)
        {
            // Not a failure the user can act on but a bug in tabula: still one line and exit 1, never a stack trace or an abort.
            await error.WriteLineAsync($"Error: unexpected {e.GetType().Name}: {OneLine(e.Message)}; run with --debug for details, and please report it (a bug in tabula)").ConfigureAwait(false);
            if (parse.GetValue(context.DebugOption)) await error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            return Failure;
        }
    }

    private static IEnumerable<Command> Verbs(CliContext context) =>
    [
        BuildVerb.Create(context),
        ImagesVerb.Create(context),
        HistoryVerb.Create(context),
        InspectVerb.Create(context),
        ListTagsVerb.Create(context),
        LsVerb.Create(context),
        TagVerb.Create(context),
        RmiVerb.Create(context),
        PruneVerb.Create(context),
        SaveVerb.Create(context),
        LoadVerb.Create(context),
        PullVerb.Create(context),
        PushVerb.Create(context),
        LoginVerb.Create(context),
        LogoutVerb.Create(context),
        CopyVerb.Create(context),
        ManifestVerb.Create(context),
        RunVerb.Create(context),
        UnpackVerb.Create(context),
        ExportVerb.Create(context),
        DfVerb.Create(context),
        VerifyVerb.Create(context),
        CompletionVerb.Create(context),
        AnalyzeVerb.Create(context),
        SbomVerb.Create(context),
        DiffVerb.Create(context),
    ];

    /// <summary>
    /// <c>tabula [suggest:POS] "LINE"</c>, which the completion scripts run: System.CommandLine's suggest directive
    /// prints what fits at POS, one per line. It bypasses docker's spellings and the unknown-verb check (a half-typed
    /// verb is the point); an unusable request prints nothing, so a shell falls back to file names.
    /// </summary>
    private static async Task<int> SuggestAsync(RootCommand root, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            return Failure;
        }
    }

    /// <summary>
    /// A word that looks like a flag but landed in a positional argument is a flag nobody knows: say so, as docker
    /// does, rather than treat <c>--bogus</c> as an image name. Words after <c>--</c> are taken as they are.
    /// </summary>
    private static IEnumerable<string> UnknownFlags(ParseResult parse, string[] args)
    {
        if (args.Contains("--")) yield break;
        var command = parse.CommandResult.Command;
        var known = command.Options.Concat(command.Parents.OfType<Command>().SelectMany(p => p.Options.Where(o => o.Recursive)))
            .SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).ToList();
        var words = parse.CommandResult.Children.OfType<System.CommandLine.Parsing.ArgumentResult>().SelectMany(a => a.Tokens).Select(t => t.Value)
            .Concat(parse.UnmatchedTokens);
        foreach (var word in words)
            if (word.Length > 1 && word[0] == '-')
            {
                var name = word.Split('=', 2)[0];
                var suggestion = name.StartsWith("--", StringComparison.Ordinal) ? DockerHabits.DidYouMean(name, known) : null;
                yield return $"unknown flag: {name}{(suggestion is null ? "" : $" (did you mean '{suggestion}'?)")}";
            }
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null && result.Command is not RootCommand; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, result.Command.Name);
        return names;
    }

    /// <summary>
    /// Failures that say what to do: I/O and format errors of the user's files and registries, and every exception
    /// type Tabula defines (each is thrown for a request that cannot be carried out). BCL guard exceptions such as
    /// <see cref="InvalidOperationException"/> and <see cref="NotSupportedException"/> are not: they mean a bug.
    /// </summary>
    private static bool IsUserFacing(Exception e) => e is IOException or InvalidDataException or FormatException or JsonException
        or UnauthorizedAccessException
        || e.GetType().Namespace?.StartsWith("Tabula", StringComparison.Ordinal) == true;

    /// <summary>The .NET wording of a too-long path repeats the whole path and says neither limit: say them.</summary>
    private static string UserMessage(Exception e) => e switch
    {
        UnauthorizedAccessException => $"permission denied: {QuotedPath(e.Message) ?? e.Message}; run as a user who may write there, or choose another store with --root",
        PathTooLongException => $"a path is too long (Linux allows 255 bytes per name and 4,096 in all): {Abbreviated(QuotedPath(e.Message) ?? e.Message)}",
        _ => e.Message,
    };

    private static string? QuotedPath(string message)
    {
        int first = message.IndexOf('\'', StringComparison.Ordinal), last = message.LastIndexOf('\'');
        return first >= 0 && last > first ? message[(first + 1)..last] : null;
    }

    private static string Abbreviated(string path) => path.Length <= 120 ? path : $"{path[..60]}...{path[^57..]} ({path.Length} characters)";

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}

/// <summary>A request the command line cannot carry out as given (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
