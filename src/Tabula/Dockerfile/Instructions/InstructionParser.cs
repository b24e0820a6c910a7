using System.Globalization;
using System.Text.RegularExpressions;
using Tabula.Dockerfile.Syntax;

namespace Tabula.Dockerfile.Instructions;

/// <summary>Step two: one <see cref="SyntaxNode"/> becomes a typed <see cref="Instruction"/>, with BuildKit's checks.</summary>
internal static partial class InstructionParser
{
    private static readonly string[] KnownKeywords =
    [
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
        "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
    ];

    /// <exception cref="DockerfileException">The instruction is unknown or malformed.</exception>
    public static Instruction Parse(SyntaxNode node, string fileName = "Dockerfile")
    {
        var location = new SourceLocation(fileName, node.Range);
        try
        {
            return Create(ParseRequest.From(node, location));
        }
        catch (InstructionError e)
        {
            throw new DockerfileException(location, e.Message, e);
        }
    }

    private static Instruction Create(ParseRequest request) => request.Keyword switch
    {
        "ADD" => FileTransferParser.ParseAdd(request),
        "ARG" => ParseArg(request),
        "CMD" => new CmdInstruction(request.Source, CommandParser.ParseCommandLine(request)),
        "COPY" => FileTransferParser.ParseCopy(request),
        "ENTRYPOINT" => new EntrypointInstruction(request.Source, CommandParser.ParseCommandLine(request)),
        "ENV" => new EnvInstruction(request.Source, ParsePairs(request)),
        "EXPOSE" => ParseExpose(request),
        "FROM" => ParseFrom(request),
        "HEALTHCHECK" => HealthcheckParser.Parse(request),
        "LABEL" => new LabelInstruction(request.Source, ParsePairs(request)),
        "MAINTAINER" => new MaintainerInstruction(request.Source, SingleArgument(request)),
        "ONBUILD" => ParseOnbuild(request),
        "RUN" => CommandParser.ParseRun(request),
        "SHELL" => CommandParser.ParseShell(request),
        "STOPSIGNAL" => new StopSignalInstruction(request.Source, SingleArgument(request)),
        "USER" => new UserInstruction(request.Source, SingleArgument(request)),
        "VOLUME" => ParseVolume(request),
        "WORKDIR" => new WorkdirInstruction(request.Source, SingleArgument(request)),
        _ => throw new InstructionError(Suggestion.WithHint(
            $"unknown instruction: {request.Node.Keyword}", request.Node.Keyword, KnownKeywords, caseSensitive: false)),
    };

    private static string SingleArgument(ParseRequest request)
    {
        request.RequireExactlyOne();
        request.Flags.Parse();
        return request.Arguments[0];
    }

    private static List<KeyValue> ParsePairs(ParseRequest request)
    {
        request.Flags.Parse();
        request.RequireAtLeastOne();
        var arguments = request.Arguments;
        if (arguments.Count % 3 != 0)
            throw new InstructionError($"Bad input to {request.Keyword}, too many arguments");
        var pairs = new List<KeyValue>(arguments.Count / 3);
        for (var i = 0; i < arguments.Count; i += 3)
        {
            if (arguments[i].Length == 0)
                throw new InstructionError($"{request.Keyword} names can not be blank");
            pairs.Add(new KeyValue(arguments[i], arguments[i + 1], LegacyForm: arguments[i + 2].Length == 0));
        }
        return pairs;
    }

    private static ArgInstruction ParseArg(ParseRequest request)
    {
        request.RequireAtLeastOne();
        request.Flags.Parse();
        var declarations = request.Arguments.Select(argument =>
        {
            var equals = argument.IndexOf('=');
            if (equals < 0)
                return new ArgDeclaration(argument, null);
            if (equals == 0)
                throw new InstructionError("ARG names can not be blank");
            return new ArgDeclaration(argument[..equals], argument[(equals + 1)..]);
        });
        return new ArgInstruction(request.Source, declarations.ToArray());
    }

    private static ExposeInstruction ParseExpose(ParseRequest request)
    {
        request.RequireAtLeastOne();
        request.Flags.Parse();
        return new ExposeInstruction(request.Source, request.Arguments.Order(StringComparer.Ordinal).ToArray());
    }

    private static VolumeInstruction ParseVolume(ParseRequest request)
    {
        request.RequireAtLeastOne();
        request.Flags.Parse();
        var volumes = request.Arguments.Select(volume => volume.Trim()).ToArray();
        if (volumes.Any(volume => volume.Length == 0))
            throw new InstructionError("VOLUME specified can not be an empty string");
        return new VolumeInstruction(request.Source, volumes);
    }

    private static FromInstruction ParseFrom(ParseRequest request)
    {
        var arguments = request.Arguments;
        string? stageName = null;
        if (arguments.Count == 3 && arguments[1].Equals("as", StringComparison.OrdinalIgnoreCase))
        {
            stageName = arguments[2].ToLowerInvariant();
            if (!StageName().IsMatch(stageName))
                throw new InstructionError(
                    $"invalid name for build stage: {GoQuote.Quote(arguments[2])}, name can't start with a number or contain symbols");
        }
        else if (arguments.Count != 1)
        {
            throw new InstructionError("FROM requires either one or three arguments");
        }
        var platform = request.Flags.AddString("platform");
        request.Flags.Parse();
        return new FromInstruction(request.Source, arguments[0], stageName, platform.ValueOrNull);
    }

    private static OnbuildInstruction ParseOnbuild(ParseRequest request)
    {
        request.RequireAtLeastOne();
        request.Flags.Parse();
        var trigger = request.Arguments[0].Trim().ToUpperInvariant();
        switch (trigger)
        {
            case "ONBUILD":
                throw new InstructionError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
            case "MAINTAINER" or "FROM":
                throw new InstructionError($"{trigger} isn't allowed as an ONBUILD trigger");
        }
        var expression = OnbuildPrefix().Replace(request.Node.Original, "");
        foreach (var heredoc in request.Node.Heredocs)
            expression += "\n" + heredoc.Content + heredoc.Name;
        return new OnbuildInstruction(request.Source, expression, trigger);
    }

    internal static int ParseInt32(string text, string what)
    {
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw new InstructionError($"strconv.ParseInt: parsing {GoQuote.Quote(text)}: invalid syntax");
        if (value is < int.MinValue or > int.MaxValue)
            throw new InstructionError($"strconv.ParseInt: parsing {GoQuote.Quote(text)}: value out of range");
        if (value < 0)
            throw new InstructionError($"--{what} cannot be negative ({value})");
        return (int)value;
    }

    [GeneratedRegex(@"^[a-z][a-z0-9_.-]*\z")]
    private static partial Regex StageName();

    [GeneratedRegex(@"^[\t\n\f\r ]*ONBUILD[\t\n\f\r ]*", RegexOptions.IgnoreCase)]
    private static partial Regex OnbuildPrefix();
}
