using Tabula.Oci;

namespace Tabula.Images;

/// <summary>
/// Turns a Docker v2 schema 2 image into one with OCI media types, as skopeo converts one for an <c>oci:</c> layout:
/// the manifest and its descriptors are retyped, the config's bytes are kept (so the image ID stays) and the layer
/// blobs are untouched, so only the manifest, and with it the manifest digest, is new. An image that already has OCI
/// media types is returned as it is, its manifest bytes kept.
/// </summary>
internal static class OciConversion
{
    public static bool IsOci(IImage image) => image.ManifestMediaType == MediaTypes.OciManifest;

    public static IImage ToOci(IImage image)
    {
        if (IsOci(image)) return image;
        if (image.ManifestMediaType != MediaTypes.DockerManifest)
            throw new MediaTypeConversionException($"a manifest of type {image.ManifestMediaType} cannot be given OCI media types; use --preserve-digests to keep it as it is");
        var config = image.Manifest.Config.MediaType is MediaTypes.DockerConfig or MediaTypes.OciConfig
            ? image.Manifest.Config with { MediaType = MediaTypes.OciConfig }
            : throw new MediaTypeConversionException($"the image's config is a {image.Manifest.Config.MediaType}, not a container image config; use --preserve-digests to keep it as it is");
        var layers = image.Manifest.Layers.Select(l => l with
        {
            MediaType = MediaTypes.LayerMediaTypeIn(l.MediaType, oci: true)
                ?? throw new MediaTypeConversionException($"a layer of type {l.MediaType} has no OCI media type; use --preserve-digests to keep the image as it is"),
        }).ToList();
        // A Docker manifest has no annotations or subject; what it has besides config and layers goes with it.
        var manifest = image.Manifest with { SchemaVersion = 2, MediaType = MediaTypes.OciManifest, Config = config, Layers = layers };
        var retyped = image.Layers.Select((layer, i) => (ILayer)new RetypedLayer(layer, layers[i].MediaType)).ToList();
        return Image.FromParts(OciJson.Serialize(manifest), manifest, MediaTypes.OciManifest, image.RawConfig, image.Config, retyped);
    }
}

/// <summary>An image that cannot be given the media types its destination needs, or whose digest cannot be kept there.</summary>
public sealed class MediaTypeConversionException(string message) : Exception(message);
