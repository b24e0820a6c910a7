using System.Text.Json;

namespace Tabula.Archives.Docker;

/// <summary>One entry of a docker archive's <c>manifest.json</c>: the config file, the names, the layer files.</summary>
internal sealed record DockerManifestItem(string Config, IReadOnlyList<string>? RepoTags, IReadOnlyList<string> Layers);

/// <summary>
/// <c>manifest.json</c> and <c>repositories</c>, written as docker's Go encoder writes them (compact, one trailing
/// newline, <c>"RepoTags":null</c> for an untagged image, map keys sorted) and read leniently.
/// </summary>
internal static class DockerManifestFile
{
    public const string ManifestName = "manifest.json";
    public const string RepositoriesName = "repositories";

    public static byte[] Serialize(IEnumerable<DockerManifestItem> items)
    {
        var json = new GoJsonWriter().StartArray();
        foreach (var item in items)
        {
            json.StartObject()
                .Name("Config").String(item.Config)
                .Name("RepoTags").StringArray(item.RepoTags is { Count: > 0 } tags ? tags : null)
                .Name("Layers").StringArray(item.Layers)
                .EndObject();
        }
        return WithNewline(json.EndArray());
    }

    /// <summary><c>{"name":{"tag":"id"}}</c>: the legacy map of names to the top layer of each tagged image.</summary>
    public static byte[] SerializeRepositories(IReadOnlyDictionary<string, SortedDictionary<string, string>> repositories)
    {
        var json = new GoJsonWriter().StartObject();
        foreach (var (name, tags) in repositories.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            json.Name(name).StartObject();
            foreach (var (tag, id) in tags) json.Name(tag).String(id);
            json.EndObject();
        }
        return WithNewline(json.EndObject());
    }

    public static IReadOnlyList<DockerManifestItem> Parse(byte[] bytes, string archive)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new ArchiveFormatException($"{archive}: manifest.json is not a list of images");
            var items = new List<DockerManifestItem>();
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object)
                    throw new ArchiveFormatException($"{archive}: an entry of manifest.json is {element.ValueKind.ToString().ToLowerInvariant()}, not an image");
                var config = GoFields.Get(element, "Config") is { ValueKind: JsonValueKind.String } c ? c.GetString()! : throw new ArchiveFormatException($"{archive}: an entry of manifest.json has no Config");
                items.Add(new DockerManifestItem(config, Strings(GoFields.Get(element, "RepoTags")), Strings(GoFields.Get(element, "Layers")) ?? []));
            }
            return items;
        }
        catch (JsonException e)
        {
            throw new ArchiveFormatException($"{archive}: manifest.json is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // JsonElement reports a string that is not valid UTF-8 only when it is read.
            throw new ArchiveFormatException($"{archive}: manifest.json is not valid JSON: {e.Message}", e);
        }
    }

    private static IReadOnlyList<string>? Strings(JsonElement? element)
        => element is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray().Select(e => e.GetString() ?? "").ToList() : null;

    private static byte[] WithNewline(GoJsonWriter json) => [.. json.ToUtf8(), (byte)'\n'];
}
