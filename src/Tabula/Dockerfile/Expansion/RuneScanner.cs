using System.Text;

namespace Tabula.Dockerfile.Expansion;

/// <summary>
/// Reads a string one Unicode scalar at a time, so characters outside the BMP are never
/// split the way a char-by-char walk would split them.
/// </summary>
internal sealed class RuneScanner(string text)
{
    public const int EndOfText = -1;

    private int position;

    public int Peek()
    {
        if (position >= text.Length)
            return EndOfText;
        return Rune.DecodeFromUtf16(text.AsSpan(position), out var rune, out _) == System.Buffers.OperationStatus.Done
            ? rune.Value
            : text[position];
    }

    public int Next()
    {
        if (position >= text.Length)
            return EndOfText;
        if (Rune.DecodeFromUtf16(text.AsSpan(position), out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            position += consumed;
            return rune.Value;
        }
        return text[position++];
    }
}
