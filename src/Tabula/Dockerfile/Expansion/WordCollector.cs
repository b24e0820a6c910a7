using System.Text;

namespace Tabula.Dockerfile.Expansion;

/// <summary>
/// Splits expanded text into fields the way BuildKit's <c>wordsStruct</c> does: unquoted
/// whitespace ends a field, quoted or escaped text never does, and empty fields are dropped.
/// </summary>
internal sealed class WordCollector(StringBuilder buffer)
{
    private readonly List<string> words = [];
    private bool inWord;

    public void AddChar(int codePoint)
    {
        if (RuneText.IsSpace(codePoint))
        {
            if (inWord && buffer.Length != 0)
            {
                words.Add(buffer.ToString());
                buffer.Clear();
                inWord = false;
            }
        }
        else
        {
            AddRawChar(codePoint);
        }
    }

    public void AddRawChar(int codePoint)
    {
        RuneText.Append(buffer, codePoint);
        inWord = true;
    }

    public void AddString(string text)
    {
        foreach (var rune in text.EnumerateRunes())
            AddChar(rune.Value);
    }

    public void AddRawString(string text)
    {
        buffer.Append(text);
        inWord = true;
    }

    public List<string> GetWords()
    {
        if (buffer.Length > 0)
        {
            words.Add(buffer.ToString());
            buffer.Clear();
            inWord = false;
        }
        return words;
    }
}
