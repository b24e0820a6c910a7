using System.Text;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Tests.Images;

public sealed class OciConversionTests
{
    private static readonly Digest GzipBlob = Digest.Compute("gzip"u8);
    private static readonly Digest TarBlob = Digest.Compute("tar"u8);
    private static readonly Digest ForeignBlob = Digest.Compute("foreign"u8);

    [Fact]
    public void A_docker_image_gets_oci_media_types_with_its_config_bytes_and_layer_blobs_unchanged()
    {
        var docker = DockerImage(
            (MediaTypes.DockerLayerGzip, GzipBlob, null),
            (MediaTypes.DockerLayer, TarBlob, null),
            (MediaTypes.DockerForeignLayerGzip, ForeignBlob, "https://example.invalid/base.tar.gz"));

        var oci = OciConversion.ToOci(docker);

        Assert.Equal(MediaTypes.OciManifest, oci.ManifestMediaType);
        Assert.Equal(docker.RawConfig.ToArray(), oci.RawConfig.ToArray());
        Assert.Equal(docker.ConfigDigest, oci.ConfigDigest);
        Assert.NotEqual(docker.ManifestDigest, oci.ManifestDigest);
        // The bytes written are the record read back, so the digest is of what is stored.
        var reread = OciJson.DeserializeManifest(oci.RawManifest.ToArray());
        Assert.Equal(MediaTypes.OciManifest, reread.MediaType);
        Assert.Equal(MediaTypes.OciConfig, reread.Config.MediaType);
        Assert.Equal([MediaTypes.OciLayerGzip, MediaTypes.OciLayer, MediaTypes.OciNondistributableLayerGzip], reread.Layers.Select(l => l.MediaType));
        Assert.Equal([GzipBlob, TarBlob, ForeignBlob], reread.Layers.Select(l => l.Digest));
        Assert.Equal(["https://example.invalid/base.tar.gz"], reread.Layers[2].Urls!);
        Assert.Equal(reread.Layers.Select(l => l.MediaType), oci.Layers.Select(l => l.MediaType));
    }

    [Fact]
    public void The_manifest_is_written_as_skopeo_writes_it()
    {
        var oci = OciConversion.ToOci(DockerImage((MediaTypes.DockerLayerGzip, GzipBlob, null)));

        var text = Encoding.UTF8.GetString(oci.RawManifest.Span);
        Assert.StartsWith("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",", text);
        Assert.DoesNotContain('\n', text);
    }

    [Fact]
    public void An_oci_image_is_kept_as_it_is()
    {
        var oci = OciConversion.ToOci(DockerImage((MediaTypes.DockerLayerGzip, GzipBlob, null)));

        Assert.Same(oci, OciConversion.ToOci(oci));
    }

    [Fact]
    public void A_layer_with_no_oci_name_is_refused_in_one_line_naming_the_way_out()
    {
        var odd = DockerImage(("application/vnd.example.layer", GzipBlob, null));

        var error = Assert.Throws<MediaTypeConversionException>(() => OciConversion.ToOci(odd));
        Assert.Contains("application/vnd.example.layer", error.Message);
        Assert.Contains("--preserve-digests", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_build_under_one_family_renames_base_layers_of_the_other()
    {
        var config = EmptyImage.Config(Platform.Parse("linux/amd64")) with
        {
            RootFs = new RootFs { DiffIds = [GzipBlob, TarBlob] },
        };
        var layers = new ILayer[] { new FakeLayer(GzipBlob, MediaTypes.DockerLayerGzip), new FakeLayer(TarBlob, MediaTypes.OciLayer) };

        var oci = Image.Create(config, layers, ociMediaTypes: true);
        var docker = Image.Create(config, layers, ociMediaTypes: false);

        Assert.Equal([MediaTypes.OciLayerGzip, MediaTypes.OciLayer], oci.Manifest.Layers.Select(l => l.MediaType));
        Assert.Equal([MediaTypes.DockerLayerGzip, MediaTypes.DockerLayer], docker.Manifest.Layers.Select(l => l.MediaType));
        Assert.Equal(MediaTypes.OciLayerGzip, oci.Layers[0].MediaType);
    }

    private static IImage DockerImage(params (string MediaType, Digest Digest, string? Url)[] layers)
    {
        var config = EmptyImage.Config(Platform.Parse("linux/amd64")) with
        {
            RootFs = new RootFs { DiffIds = layers.Select(l => l.Digest).ToList() },
        };
        var rawConfig = OciJson.Serialize(config);
        var manifest = new ImageManifest
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.DockerManifest,
            Config = new Descriptor { MediaType = MediaTypes.DockerConfig, Digest = Digest.Compute(rawConfig), Size = rawConfig.Length },
            Layers = layers.Select(l => new Descriptor { MediaType = l.MediaType, Digest = l.Digest, Size = 10, Urls = l.Url is null ? null : [l.Url] }).ToList(),
        };
        return Image.FromParts(OciJson.Serialize(manifest), manifest, MediaTypes.DockerManifest, rawConfig, config,
            layers.Select(l => (ILayer)new FakeLayer(l.Digest, l.MediaType)).ToList());
    }

    private sealed class FakeLayer(Digest digest, string mediaType) : ILayer
    {
        public Digest Digest => digest;
        public Digest DiffId => digest;
        public long Size => 10;
        public string MediaType => mediaType;

        public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("not read");

        public Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("not read");
    }
}
