using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabula.Oci;

/// <summary>
/// Times as Go's RFC 3339 with nanoseconds: UTC with trailing zeros of the fraction dropped
/// (<c>2024-01-26T23:44:47.5Z</c>, <c>1970-01-01T00:00:00Z</c>); reads up to nine fraction digits and any offset.
/// </summary>
internal sealed class GoTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString() ?? throw new JsonException("expected a time string");
        return GoTime.Parse(text);
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
        => writer.WriteStringValue(GoTime.Format(value));
}

internal static class GoTime
{
    public static string Format(DateTimeOffset value)
        => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text)
    {
        // .NET parses at most seven fraction digits; Go writes up to nine.
        int dot = text.IndexOf('.');
        if (dot > 0)
        {
            int end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
            if (end - dot - 1 > 7) text = text[..(dot + 8)] + text[end..];
        }
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
    }
}
