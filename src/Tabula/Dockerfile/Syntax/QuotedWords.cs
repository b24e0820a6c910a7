using System.Text;
using Tabula.Dockerfile.Expansion;

namespace Tabula.Dockerfile.Syntax;

/// <summary>
/// Splits on unquoted white space but keeps quotes and escapes in the words: they are
/// removed later, at expansion time (ARG words, and the name=value words of ENV/LABEL).
/// </summary>
internal static class QuotedWords
{
    public static List<string> Split(string text, char escapeToken)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var phase = Phase.InSpaces;
        var quote = 0;
        var blankOk = false;
        var ch = 0;
        var width = 0;

        for (var pos = 0; pos <= text.Length; pos += width)
        {
            if (pos != text.Length)
                (ch, width) = Decode(text, pos);

            if (phase == Phase.InSpaces)
            {
                if (pos == text.Length)
                    break;
                if (RuneText.IsSpace(ch))
                    continue;
                phase = Phase.InWord;
            }
            if (pos == text.Length)
            {
                if (blankOk || word.Length > 0)
                    words.Add(word.ToString());
                break;
            }
            if (phase == Phase.InWord)
            {
                if (RuneText.IsSpace(ch))
                {
                    phase = Phase.InSpaces;
                    if (blankOk || word.Length > 0)
                        words.Add(word.ToString());
                    word.Clear();
                    blankOk = false;
                    continue;
                }
                if (ch is '\'' or '"')
                {
                    quote = ch;
                    blankOk = true;
                    phase = Phase.InQuote;
                }
                if (ch == escapeToken)
                {
                    if (pos + width == text.Length)
                        continue; // an escape token at the very end is dropped
                    // unquoted, the escape token and the character after it are both kept, even a quote
                    RuneText.Append(word, ch);
                    pos += width;
                    (ch, width) = Decode(text, pos);
                }
                RuneText.Append(word, ch);
                continue;
            }
            // in a quote
            if (ch == quote)
                phase = Phase.InWord;
            if (ch == escapeToken && quote != '\'')
            {
                if (pos + width == text.Length)
                {
                    phase = Phase.InWord;
                    continue;
                }
                pos += width;
                RuneText.Append(word, ch);
                (ch, width) = Decode(text, pos);
            }
            RuneText.Append(word, ch);
        }
        return words;
    }

    private static (int CodePoint, int Width) Decode(string text, int pos) =>
        Rune.DecodeFromUtf16(text.AsSpan(pos), out var rune, out var consumed) == System.Buffers.OperationStatus.Done
            ? (rune.Value, consumed)
            : (text[pos], 1);

    private enum Phase { InSpaces, InWord, InQuote }
}
