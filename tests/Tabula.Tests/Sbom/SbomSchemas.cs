using System.Text.Json;
using Json.Schema;

namespace Tabula.Tests.Sbom;

/// <summary>The official SPDX 2.3 and CycloneDX 1.6 JSON schemas (see Schemas/README.md), and validation against them.</summary>
internal static class SbomSchemas
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Sbom", "Schemas");

    /// <summary>Every error the schema finds in <paramref name="document"/>, one line each (none when it is valid).</summary>
    public static IReadOnlyList<string> Errors(string schemaFile, string document)
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        // bom-1.6 refers to these two by their ids: registered before it is built.
        foreach (var part in new[] { "spdx.schema.json", "jsf-0.82.schema.json" })
            JsonSchema.FromText(File.ReadAllText(Path.Combine(Folder, part)), options);
        var schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(Folder, schemaFile)), options);
        using var json = JsonDocument.Parse(document);
        var result = schema.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return [];
        var errors = new List<string>();
        foreach (var detail in result.Details ?? [])
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
                errors.Add($"{detail.InstanceLocation} ({keyword}): {message}");
        return errors.Count > 0 ? errors : ["invalid (the validator gave no details)"];
    }

    public static void AssertValid(string schemaFile, string document)
    {
        var errors = Errors(schemaFile, document);
        Assert.True(errors.Count == 0, $"not valid against {schemaFile}:\n{string.Join('\n', errors.Take(20))}");
    }
}
