namespace Tabula.Dockerfile.Syntax;

/// <summary>
/// ENV and LABEL arguments: triples of key, raw value and separator. <c>KEY value…</c> (no
/// <c>=</c> in the first word) is the legacy form with one pair and an empty separator.
/// Values keep their quotes and escapes; expansion removes them later.
/// </summary>
internal static class NameValuePairs
{
    public static ParsedArguments Parse(string rest, string keyword, char escapeToken)
    {
        var words = QuotedWords.Split(rest, escapeToken);
        if (words.Count == 0)
            return ParsedArguments.None;

        if (!words[0].Contains('='))
        {
            var parts = CommandSplitter.Blanks().Split(rest, 2);
            if (parts.Length < 2)
                throw new InstructionError($"{keyword} must have two arguments");
            return new([parts[0], parts[1], ""]);
        }

        var values = new List<string>(words.Count * 3);
        foreach (var word in words)
        {
            var equals = word.IndexOf('=');
            if (equals < 0)
                throw new InstructionError(
                    $"Syntax error - can't find = in {GoQuote.Quote(word)}. Must be of the form: name=value");
            values.Add(word[..equals]);
            values.Add(word[(equals + 1)..]);
            values.Add("=");
        }
        return new(values);
    }
}
