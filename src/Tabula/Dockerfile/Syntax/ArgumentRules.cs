namespace Tabula.Dockerfile.Syntax;

/// <summary>
/// How each keyword splits the text after its flags (BuildKit's line parsers). Unknown
/// keywords keep one empty argument; the instruction step rejects them with their line.
/// </summary>
internal static class ArgumentRules
{
    public static ParsedArguments Parse(string keyword, string rest, char escapeToken) =>
        keyword.ToLowerInvariant() switch
        {
            "add" or "copy" or "volume" => MaybeJsonToList(rest),
            "cmd" or "entrypoint" or "run" or "shell" => MaybeJson(rest),
            "arg" => new ParsedArguments(QuotedWords.Split(rest, escapeToken)),
            "env" => NameValuePairs.Parse(rest, "ENV", escapeToken),
            "label" => NameValuePairs.Parse(rest, "LABEL", escapeToken),
            "expose" or "from" => WhitespaceSeparated(rest),
            "healthcheck" => Healthcheck(rest),
            "maintainer" or "stopsignal" or "user" or "workdir" => rest.Length == 0 ? ParsedArguments.None : new([rest]),
            "onbuild" => rest.Length == 0 ? ParsedArguments.None : new([], SubCommand: NodeBuilder.FromLine(rest, escapeToken)),
            _ => new([""]),
        };

    private static ParsedArguments MaybeJson(string rest)
    {
        if (rest.Length == 0)
            return ParsedArguments.None;
        return JsonArrayForm.TryParse(rest, out var items) ? new(items, IsJson: true) : new([rest]);
    }

    private static ParsedArguments MaybeJsonToList(string rest) =>
        JsonArrayForm.TryParse(rest, out var items) ? new(items, IsJson: true) : WhitespaceSeparated(rest);

    private static ParsedArguments WhitespaceSeparated(string rest) =>
        rest.Length == 0 ? ParsedArguments.None : new(CommandSplitter.Blanks().Split(rest));

    /// <summary><c>HEALTHCHECK [flags] TYPE rest</c>: the type word, then the rest as for CMD.</summary>
    private static ParsedArguments Healthcheck(string rest)
    {
        var typeEnd = 0;
        while (typeEnd < rest.Length && !char.IsWhiteSpace(rest[typeEnd]))
            typeEnd++;
        if (typeEnd == 0)
            return ParsedArguments.None;
        var commandStart = typeEnd;
        while (commandStart < rest.Length && char.IsWhiteSpace(rest[commandStart]))
            commandStart++;
        var command = MaybeJson(rest[commandStart..]);
        return command with { Values = [rest[..typeEnd], .. command.Values] };
    }
}
