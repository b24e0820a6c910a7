using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabula.Sbom;

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SpdxDocument))]
[JsonSerializable(typeof(CycloneDxBom))]
internal sealed partial class SbomJsonContext : JsonSerializerContext
{
    /// <summary>Indented, and names such as <c>libstdc++6</c> written as they are (not as <c>\u002B</c>): the documents are read by people too.</summary>
    public static SbomJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
