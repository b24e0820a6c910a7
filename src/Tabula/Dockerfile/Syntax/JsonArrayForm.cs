using System.Text.Json;

namespace Tabula.Dockerfile.Syntax;

/// <summary>The exec (JSON array) form of RUN, CMD, ENTRYPOINT, SHELL, ADD, COPY and VOLUME.</summary>
internal static class JsonArrayForm
{
    public const string NotStringArray = "when using JSON array syntax, arrays must be comprised of strings only";

    /// <summary>
    /// False when the text is not a valid JSON array, so the caller falls back to the shell
    /// form; a valid array holding anything but strings is an error, not a fallback.
    /// </summary>
    public static bool TryParse(string text, out List<string> items)
    {
        items = [];
        text = text.TrimStart();
        if (!text.StartsWith('['))
            return false;
        try
        {
            using var document = JsonDocument.Parse(text);
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.String)
                    throw new InstructionError(NotStringArray);
                items.Add(element.GetString()!);
            }
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            items = [];
            return false;
        }
    }
}
