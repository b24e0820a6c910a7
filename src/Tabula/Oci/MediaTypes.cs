namespace Tabula.Oci;

/// <summary>The media types Tabula reads and writes (OCI image spec 1.1 and Docker v2 schema 2).</summary>
public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";
    public const string OciNondistributableLayer = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public const string OciNondistributableLayerGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";

    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
    public const string DockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    public const string DockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar";

    public static bool IsManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;

    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerManifestList;

    public static bool IsDocker(string? mediaType) => mediaType is not null && mediaType.StartsWith("application/vnd.docker.", StringComparison.Ordinal);

    /// <summary>
    /// Whether a layer blob is a tar sent as it is, which a registry push gzips: not a blob of another kind (an in-toto
    /// statement of an attestation manifest, an artifact's file), which goes up untouched.
    /// </summary>
    public static bool IsUncompressedTarLayer(string mediaType) => mediaType is OciLayer or DockerLayer or OciNondistributableLayer or DockerForeignLayer;

    /// <summary>How a layer blob of this media type is compressed.</summary>
    public static LayerCompression LayerCompressionOf(string mediaType) => mediaType switch
    {
        OciLayerGzip or DockerLayerGzip or DockerForeignLayerGzip => LayerCompression.Gzip,
        OciLayerZstd => LayerCompression.Zstd,
        OciLayer or DockerLayer => LayerCompression.None,
        _ when mediaType.EndsWith("+gzip", StringComparison.Ordinal) || mediaType.EndsWith(".gzip", StringComparison.Ordinal) => LayerCompression.Gzip,
        _ when mediaType.EndsWith("+zstd", StringComparison.Ordinal) => LayerCompression.Zstd,
        _ => LayerCompression.None,
    };

    /// <summary>
    /// A layer's media type in the OCI or Docker family, as containers/image converts them (a Docker foreign layer is an
    /// OCI non-distributable one); null when the other family has no name for it (zstd in Docker's, an unknown type).
    /// </summary>
    public static string? LayerMediaTypeIn(string mediaType, bool oci) => (mediaType, oci) switch
    {
        (DockerLayerGzip or OciLayerGzip, _) => oci ? OciLayerGzip : DockerLayerGzip,
        (DockerLayer or OciLayer, _) => oci ? OciLayer : DockerLayer,
        (DockerForeignLayerGzip or OciNondistributableLayerGzip, _) => oci ? OciNondistributableLayerGzip : DockerForeignLayerGzip,
        (DockerForeignLayer or OciNondistributableLayer, _) => oci ? OciNondistributableLayer : DockerForeignLayer,
        (OciLayerZstd, true) => OciLayerZstd,
        _ => null,
    };

    /// <summary>The layer media type for a compression in the Docker or OCI family.</summary>
    public static string LayerMediaType(LayerCompression compression, bool oci) => (compression, oci) switch
    {
        (LayerCompression.Gzip, false) => DockerLayerGzip,
        (LayerCompression.None, false) => DockerLayer,
        (LayerCompression.Gzip, true) => OciLayerGzip,
        (LayerCompression.Zstd, _) => OciLayerZstd,
        (LayerCompression.None, true) => OciLayer,
        _ => throw new ArgumentOutOfRangeException(nameof(compression)),
    };
}

public enum LayerCompression
{
    None,
    Gzip,
    Zstd,
}
