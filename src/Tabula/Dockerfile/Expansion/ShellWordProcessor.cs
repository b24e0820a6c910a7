using System.Text;

namespace Tabula.Dockerfile.Expansion;

/// <summary>The state of one <see cref="ShellLexer"/> call: a cursor over the word and what was looked up.</summary>
internal sealed class ShellWordProcessor(ShellLexer lexer, string source, IVariableLookup variables)
{
    private readonly RuneScanner scanner = new(source);
    private readonly HashSet<string> matched = new(StringComparer.Ordinal);
    private readonly HashSet<string> unmatched = new(StringComparer.Ordinal);

    // BuildKit shares one field buffer between the outer word and every nested ${...} word,
    // so a nested modifier drops the field collected so far. Sharing it here keeps
    // ProcessWords equal to BuildKit's, quirk included.
    private readonly StringBuilder sharedFieldBuffer = new();
    private bool rawEscapes = lexer.RawEscapes;

    public WordExpansion Run()
    {
        try
        {
            var (result, words) = ProcessUntil(RuneScanner.EndOfText, lexer.RawEscapes);
            return new WordExpansion(result, words, matched, unmatched);
        }
        catch (ShellExpansionException e)
        {
            // A hostile word can be megabytes long: the message quotes its start only.
            var quoted = source.Length <= 200 ? source : source[..200] + "…";
            throw new ShellExpansionException($"failed to process \"{quoted}\": {e.Message}");
        }
    }

    /// <summary>
    /// How deep <c>${A:-${B:-…}}</c> may nest. Each level is a few stack frames: without a bound a hostile line of
    /// thousands of levels overflows the stack, which no handler can catch. Real Dockerfiles nest two or three.
    /// </summary>
    public const int MaxNesting = 100;

    private int depth;

    private (string Result, List<string> Words) ProcessUntil(int stopChar, bool useRawEscapes)
    {
        if (depth >= MaxNesting)
            throw new ShellExpansionException($"expansions nested more than {MaxNesting} deep");
        depth++;
        try
        {
            return ProcessUntilCore(stopChar, useRawEscapes);
        }
        finally
        {
            depth--;
        }
    }

    private (string Result, List<string> Words) ProcessUntilCore(int stopChar, bool useRawEscapes)
    {
        var result = new StringBuilder();
        sharedFieldBuffer.Clear();
        var words = new WordCollector(sharedFieldBuffer);

        var saved = rawEscapes;
        rawEscapes = useRawEscapes;
        try
        {
            while (scanner.Peek() != RuneScanner.EndOfText)
            {
                var ch = scanner.Peek();
                if (stopChar != RuneScanner.EndOfText && ch == stopChar)
                {
                    scanner.Next();
                    return (result.ToString(), words.GetWords());
                }
                if (TryProcessSpecial(ch, out var expanded))
                {
                    result.Append(expanded);
                    if (ch == '$')
                        words.AddString(expanded);
                    else
                        words.AddRawString(expanded);
                    continue;
                }

                ch = scanner.Next();
                if (ch == lexer.EscapeToken)
                {
                    if (rawEscapes)
                    {
                        words.AddRawChar(ch);
                        RuneText.Append(result, ch);
                    }
                    // the escape token escapes the next character, except at the end of the word
                    ch = scanner.Next();
                    if (ch == RuneScanner.EndOfText)
                        break;
                    words.AddRawChar(ch);
                }
                else
                {
                    words.AddChar(ch);
                }
                RuneText.Append(result, ch);
            }
            if (stopChar != RuneScanner.EndOfText)
                throw new ShellExpansionException(
                    $"unexpected end of statement while looking for matching {RuneText.ToText(stopChar)}");
            return (result.ToString(), words.GetWords());
        }
        finally
        {
            rawEscapes = saved;
        }
    }

    private bool TryProcessSpecial(int ch, out string expanded)
    {
        switch (ch)
        {
            case '$':
                expanded = ProcessDollar();
                return true;
            case '<':
                expanded = ProcessPossibleHeredoc();
                return true;
            case '\'' when !lexer.SkipProcessQuotes:
                expanded = ProcessSingleQuote();
                return true;
            case '"' when !lexer.SkipProcessQuotes:
                expanded = ProcessDoubleQuote();
                return true;
            default:
                expanded = "";
                return false;
        }
    }

    private string ProcessSingleQuote()
    {
        // Everything up to the next single quote is literal; a single quote cannot be escaped.
        var result = new StringBuilder();
        var ch = scanner.Next();
        if (lexer.RawQuotes)
            RuneText.Append(result, ch);
        while (true)
        {
            ch = scanner.Next();
            switch (ch)
            {
                case RuneScanner.EndOfText:
                    throw new ShellExpansionException("unexpected end of statement while looking for matching single-quote");
                case '\'':
                    if (lexer.RawQuotes)
                        RuneText.Append(result, ch);
                    return result.ToString();
            }
            RuneText.Append(result, ch);
        }
    }

    private string ProcessDoubleQuote()
    {
        // Literal except $ and the escape token, which only escapes " $ and itself.
        var result = new StringBuilder();
        var ch = scanner.Next();
        if (lexer.RawQuotes)
            RuneText.Append(result, ch);
        while (true)
        {
            switch (scanner.Peek())
            {
                case RuneScanner.EndOfText:
                    throw new ShellExpansionException("unexpected end of statement while looking for matching double-quote");
                case '"':
                    ch = scanner.Next();
                    if (lexer.RawQuotes)
                        RuneText.Append(result, ch);
                    return result.ToString();
                case '$':
                    result.Append(ProcessDollar());
                    break;
                default:
                    ch = scanner.Next();
                    if (ch == lexer.EscapeToken)
                    {
                        if (rawEscapes)
                            RuneText.Append(result, ch);
                        var following = scanner.Peek();
                        if (following == RuneScanner.EndOfText)
                            continue;
                        if (following == '"' || following == '$' || following == lexer.EscapeToken)
                            ch = scanner.Next();
                    }
                    RuneText.Append(result, ch);
                    break;
            }
        }
    }

    private string ProcessDollar()
    {
        scanner.Next();
        if (scanner.Peek() != '{')
        {
            var plainName = ProcessName();
            if (plainName.Length == 0)
                return "$";
            var found = TryGetVariable(plainName, out var plainValue);
            return !found && lexer.SkipUnsetEnv ? "$" + plainName : plainValue;
        }

        scanner.Next();
        switch (scanner.Peek())
        {
            case RuneScanner.EndOfText:
                throw new ShellExpansionException("syntax error: missing '}'");
            case '{' or '}' or ':':
                throw new ShellExpansionException("syntax error: bad substitution");
        }
        var name = ProcessName();
        var modifier = scanner.Next();
        switch (modifier)
        {
            case '}':
            {
                var set = TryGetVariable(name, out var value);
                return !set && lexer.SkipUnsetEnv ? "${" + name + "}" : value;
            }
            case ':':
                return ProcessModifier(name, scanner.Next(), nullIsUnset: true);
            case '+' or '-' or '?' or '#' or '%':
                return ProcessModifier(name, modifier, nullIsUnset: false);
            case '/':
                return ProcessReplacement(name);
            default:
                throw new ShellExpansionException($"unsupported modifier ({RuneText.ToText(modifier)}) in substitution");
        }
    }

    private string ProcessModifier(string name, int modifier, bool nullIsUnset)
    {
        var spelled = (nullIsUnset ? ":" : "") + RuneText.ToText(modifier);
        var isTrim = modifier is '#' or '%';
        if (nullIsUnset && isTrim)
            throw new ShellExpansionException($"unsupported modifier ({spelled}) in substitution");

        var word = ProcessNested('}', useRawEscapes: isTrim, "syntax error: missing '}'");
        var set = TryGetVariable(name, out var value);
        if (lexer.SkipUnsetEnv && !set)
            return "${" + name + spelled + word + "}";

        var absent = !set || (nullIsUnset && value.Length == 0);
        switch (modifier)
        {
            case '-':
                return absent ? word : value;
            case '+':
                return absent ? "" : word;
            case '?':
                if (!set)
                    throw new ShellExpansionException($"{name}: {(word.Length > 0 ? word : "is not allowed to be unset")}");
                if (nullIsUnset && value.Length == 0)
                    throw new ShellExpansionException($"{name}: {(word.Length > 0 ? word : "is not allowed to be empty")}");
                return value;
            case '#' or '%':
                // a doubled operator (## or %%) takes the longest match, a single one the shortest
                var greedy = word.Length > 0 && word[0] == modifier;
                if (greedy)
                    word = word[1..];
                return modifier == '%'
                    ? ShellPattern.TrimSuffix(word, value, greedy)
                    : ShellPattern.TrimPrefix(word, value, greedy);
            default:
                throw new ShellExpansionException($"unsupported modifier ({spelled}) in substitution");
        }
    }

    private string ProcessReplacement(string name)
    {
        var replaceAll = scanner.Peek() == '/';
        if (replaceAll)
            scanner.Next();
        var pattern = ProcessNested('/', useRawEscapes: true, "syntax error: missing '/' in ${}");
        var replacement = ProcessNested('}', useRawEscapes: true, "syntax error: missing '}'");

        var set = TryGetVariable(name, out var value);
        if (lexer.SkipUnsetEnv && !set)
            return "${" + name + "/" + pattern + "/" + replacement + "}";

        var regex = ShellPattern.ToRegex(pattern, greedy: true, anchored: false);
        if (replaceAll)
            return ShellPattern.ReplaceAll(regex, value, replacement);
        var match = regex.Match(value);
        return match.Success ? value[..match.Index] + replacement + value[(match.Index + match.Length)..] : value;
    }

    private string ProcessNested(int stopChar, bool useRawEscapes, string missingStopMessage)
    {
        try
        {
            return ProcessUntil(stopChar, useRawEscapes).Result;
        }
        catch (ShellExpansionException) when (scanner.Peek() == RuneScanner.EndOfText)
        {
            throw new ShellExpansionException(missingStopMessage);
        }
    }

    private string ProcessName()
    {
        // A name is letters, digits and _; positional ($1, $123) and special ($@, $#…) parameters
        // are read as names too, and are never set in a Dockerfile.
        var name = new StringBuilder();
        while (scanner.Peek() != RuneScanner.EndOfText)
        {
            var ch = scanner.Peek();
            if (name.Length == 0 && RuneText.IsDigit(ch))
            {
                while (scanner.Peek() != RuneScanner.EndOfText && RuneText.IsDigit(scanner.Peek()))
                    RuneText.Append(name, scanner.Next());
                return name.ToString();
            }
            if (name.Length == 0 && IsSpecialParameter(ch))
                return RuneText.ToText(scanner.Next());
            if (!RuneText.IsLetter(ch) && !RuneText.IsDigit(ch) && ch != '_')
                break;
            RuneText.Append(name, scanner.Next());
        }
        return name.ToString();
    }

    private static bool IsSpecialParameter(int ch) => ch is '@' or '*' or '#' or '?' or '-' or '$' or '!' or '0';

    private string ProcessPossibleHeredoc()
    {
        // "<<" and the blanks after it stay glued to the next word, so "<< EOF" stays one field.
        scanner.Next();
        if (scanner.Peek() != '<')
            return "<";
        scanner.Next();
        var result = new StringBuilder("<<");
        while (scanner.Peek() is '\t' or '\r' or ' ')
            RuneText.Append(result, scanner.Next());
        return result.ToString();
    }

    private bool TryGetVariable(string name, out string value)
    {
        if (variables.TryGet(name, out value))
        {
            matched.Add(name);
            return true;
        }
        unmatched.Add(name);
        value = "";
        return false;
    }
}
