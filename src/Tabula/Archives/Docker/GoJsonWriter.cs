using System.Globalization;
using System.Text;
using Tabula.Oci;

namespace Tabula.Archives.Docker;

/// <summary>
/// Compact JSON written as Go's encoding/json (as built into docker 20.10) writes it: strings keep non-ASCII as UTF-8
/// and escape only <c>"</c>, <c>\</c>, control characters, <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>, U+2028 and U+2029.
/// Docker hashes JSON it marshalled itself, so ids derived from it match only when the bytes match.
/// </summary>
internal sealed class GoJsonWriter
{
    private readonly StringBuilder _text = new();
    private readonly Stack<bool> _first = new();

    public GoJsonWriter StartObject() => Open('{');
    public GoJsonWriter EndObject() => Close('}');
    public GoJsonWriter StartArray() => Open('[');
    public GoJsonWriter EndArray() => Close(']');

    public GoJsonWriter Name(string name)
    {
        Separate();
        AppendString(_text, name);
        _text.Append(':');
        _first.Pop();
        _first.Push(true); // the value that follows needs no comma
        return this;
    }

    public GoJsonWriter String(string? value) => value is null ? Null() : Value(Quote(value));
    public GoJsonWriter Bool(bool value) => Value(value ? "true" : "false");
    public GoJsonWriter Number(long value) => Value(value.ToString(CultureInfo.InvariantCulture));
    public GoJsonWriter Null() => Value("null");

    /// <summary>Inserts JSON that is already compact and Go-escaped.</summary>
    public GoJsonWriter Raw(string json) => Value(json);

    public GoJsonWriter StringArray(IEnumerable<string>? values)
    {
        if (values is null) return Null();
        StartArray();
        foreach (var value in values) String(value);
        return EndArray();
    }

    public override string ToString() => _text.ToString();

    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_text.ToString());

    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        AppendString(builder, value);
        return builder.ToString();
    }

    private GoJsonWriter Open(char bracket)
    {
        Separate();
        _text.Append(bracket);
        _first.Push(true);
        return this;
    }

    private GoJsonWriter Close(char bracket)
    {
        _first.Pop();
        _text.Append(bracket);
        MarkWritten();
        return this;
    }

    private GoJsonWriter Value(string json)
    {
        Separate();
        _text.Append(json);
        MarkWritten();
        return this;
    }

    private void Separate()
    {
        if (_first.Count > 0 && !_first.Peek()) _text.Append(',');
    }

    private void MarkWritten()
    {
        if (_first.Count == 0) return;
        _first.Pop();
        _first.Push(false);
    }

    private static void AppendString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (char c in value)
        {
            if (GoJsonEncoder.EscapeOf(c) is { } escaped) builder.Append(escaped);
            else builder.Append(c);
        }
        builder.Append('"');
    }
}
