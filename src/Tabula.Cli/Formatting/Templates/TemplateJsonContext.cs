using System.Text.Json.Serialization;

namespace Tabula.Cli.Formatting.Templates;

/// <summary>The JSON the template engine itself writes: quoted strings (<c>%q</c>) and the header row's field map.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class TemplateJsonContext : JsonSerializerContext;
