using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Tabula.Oci;

/// <summary>Serialisation of the spec types. Digests are always taken of the bytes returned here, never of a re-serialisation.</summary>
internal static class OciJson
{
    /// <summary>Go's escaping (see <see cref="GoJsonEncoder"/>) so our documents have the bytes docker's tools write.</summary>
    private static readonly OciJsonContext Context = new(new JsonSerializerOptions
    {
        Encoder = GoJsonEncoder.Instance,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Converters = { new GoTimeJsonConverter() },
    });

    public static byte[] Serialize(ImageManifest manifest) => JsonSerializer.SerializeToUtf8Bytes(manifest, Context.ImageManifest);
    public static byte[] Serialize(ImageIndex index) => JsonSerializer.SerializeToUtf8Bytes(index, Context.ImageIndex);
    public static byte[] Serialize(ImageConfig config) => JsonSerializer.SerializeToUtf8Bytes(config, Context.ImageConfig);
    public static byte[] Serialize(OciLayoutFile layout) => JsonSerializer.SerializeToUtf8Bytes(layout, Context.OciLayoutFile);

    public static ImageManifest DeserializeManifest(ReadOnlySpan<byte> json) => SpecChecks.Check(Deserialize(json, Context.ImageManifest, "image manifest"), "image manifest");
    public static ImageIndex DeserializeIndex(ReadOnlySpan<byte> json) => SpecChecks.Check(Deserialize(json, Context.ImageIndex, "image index"), "image index");
    public static ImageConfig DeserializeConfig(ReadOnlySpan<byte> json) => SpecChecks.Check(Deserialize(json, Context.ImageConfig, "image config"), "image config");
    public static OciLayoutFile DeserializeLayoutFile(ReadOnlySpan<byte> json) => Deserialize(json, Context.OciLayoutFile, "oci-layout file");

    /// <summary>Tells a manifest from an index when the media type is missing or untrusted (as in some layouts).</summary>
    public static string DetectManifestMediaType(ReadOnlySpan<byte> json)
    {
        var probe = Deserialize(json, Context.ManifestProbe, "manifest");
        if (probe.MediaType is { Length: > 0 } mediaType) return mediaType;
        if (probe.Manifests is not null) return MediaTypes.OciIndex;
        if (probe.Config is not null) return MediaTypes.OciManifest;
        throw new InvalidDataException("not an image manifest or index: it has neither 'config' nor 'manifests'");
    }

    private static T Deserialize<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(json, typeInfo) ?? throw new InvalidDataException($"{what} is null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what} is not valid JSON: {e.Message}", e);
        }
    }
}
