using Tabula.Oci;

namespace Tabula.Images;

/// <summary>An image assembled in memory from its parts: a config and layers whose blobs live elsewhere.</summary>
internal sealed class Image : IImage
{
    private Image(ReadOnlyMemory<byte> rawManifest, ImageManifest manifest, string mediaType, ReadOnlyMemory<byte> rawConfig, ImageConfig config, IReadOnlyList<ILayer> layers)
    {
        RawManifest = rawManifest;
        Manifest = manifest;
        ManifestMediaType = mediaType;
        RawConfig = rawConfig;
        Config = config;
        Layers = layers;
    }

    public ReadOnlyMemory<byte> RawManifest { get; }
    public ImageManifest Manifest { get; }
    public string ManifestMediaType { get; }
    public ReadOnlyMemory<byte> RawConfig { get; }
    public ImageConfig Config { get; }
    public IReadOnlyList<ILayer> Layers { get; }

    /// <summary>Wraps parts read from somewhere (a store, an archive) without re-serialising them.</summary>
    public static Image FromParts(ReadOnlyMemory<byte> rawManifest, ImageManifest manifest, string mediaType, ReadOnlyMemory<byte> rawConfig, ImageConfig config, IReadOnlyList<ILayer> layers)
    {
        if (manifest.Layers.Count != layers.Count)
            throw new InvalidDataException($"manifest lists {manifest.Layers.Count} layers but {layers.Count} were given");
        return new Image(rawManifest, manifest, mediaType, rawConfig, config, layers);
    }

    /// <summary>Builds the manifest for a config and layers, in the Docker v2 schema 2 or the OCI family (layers renamed to match).</summary>
    public static Image Create(ImageConfig config, IReadOnlyList<ILayer> layers, bool ociMediaTypes, IReadOnlyDictionary<string, string>? annotations = null)
    {
        // A base image's layers may carry the other family's names (a pulled Docker image under an OCI build): one
        // manifest speaks one family, as strict readers (oci-image-tool, umoci) require.
        layers = layers.Select(l => RetypedLayer.In(l, ociMediaTypes)).ToList();
        var rawConfig = OciJson.Serialize(config);
        var mediaType = ociMediaTypes ? MediaTypes.OciManifest : MediaTypes.DockerManifest;
        var manifest = new ImageManifest
        {
            SchemaVersion = 2,
            MediaType = mediaType,
            Config = new Descriptor
            {
                MediaType = ociMediaTypes ? MediaTypes.OciConfig : MediaTypes.DockerConfig,
                Digest = Digest.Compute(rawConfig),
                Size = rawConfig.Length,
            },
            Layers = layers.Select(l => new Descriptor { MediaType = l.MediaType, Digest = l.Digest, Size = l.Size }).ToList(),
            Annotations = annotations,
        };
        return new Image(OciJson.Serialize(manifest), manifest, mediaType, rawConfig, config, layers);
    }
}
