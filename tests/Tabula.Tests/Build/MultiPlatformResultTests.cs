using Tabula.Build;
using Tabula.Oci;

namespace Tabula.Tests.Build;

/// <summary>The index a multi-platform build stores: one entry per platform, its kind paired with the manifests' as BuildKit pairs them.</summary>
public class MultiPlatformResultTests
{
    private static PlatformImage Image(string platform, string mediaType, string content)
    {
        var digest = Digest.Compute(System.Text.Encoding.UTF8.GetBytes(content));
        return new PlatformImage(Platform.Parse(platform), new Descriptor { MediaType = mediaType, Digest = digest, Size = content.Length }, digest);
    }

    [Fact]
    public void Docker_manifests_go_under_a_manifest_list_and_oci_ones_under_an_oci_index()
    {
        var docker = MultiPlatformResult.Index([Image("linux/amd64", MediaTypes.DockerManifest, "a"), Image("linux/arm64", MediaTypes.DockerManifest, "b")]);
        Assert.Equal(MediaTypes.DockerManifestList, docker.MediaType);
        var oci = MultiPlatformResult.Index([Image("linux/amd64", MediaTypes.OciManifest, "a"), Image("linux/arm/v7", MediaTypes.OciManifest, "b")]);
        Assert.Equal(MediaTypes.OciIndex, oci.MediaType);
        Assert.Equal(["linux/amd64", "linux/arm/v7"], oci.Manifests.Select(m => m.Platform!.ToString()));
        Assert.All(oci.Manifests, m => Assert.Equal(MediaTypes.OciManifest, m.MediaType));
    }

    [Fact]
    public void The_index_bytes_depend_only_on_the_platforms_and_manifests()
    {
        var images = new[] { Image("linux/amd64", MediaTypes.OciManifest, "a"), Image("linux/arm64", MediaTypes.OciManifest, "b") };
        var json = System.Text.Encoding.UTF8.GetString(OciJson.Serialize(MultiPlatformResult.Index(images)));
        Assert.Equal(json, System.Text.Encoding.UTF8.GetString(OciJson.Serialize(MultiPlatformResult.Index(images))));
        Assert.Contains("\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}", json);
    }

    [Fact]
    public void Attestation_manifests_follow_every_platforms_image_in_platform_order()
    {
        static Descriptor Attestation(PlatformImage image, string content) => new()
        {
            MediaType = MediaTypes.OciManifest,
            Digest = Digest.Compute(System.Text.Encoding.UTF8.GetBytes(content)),
            Size = content.Length,
            Platform = new Platform { Os = "unknown", Architecture = "unknown" },
            Annotations = new Dictionary<string, string> { ["vnd.docker.reference.digest"] = image.Manifest.Digest.ToString() },
        };
        var amd64 = Image("linux/amd64", MediaTypes.OciManifest, "a");
        var arm64 = Image("linux/arm64", MediaTypes.OciManifest, "b");
        var index = MultiPlatformResult.Index([amd64 with { Attestation = Attestation(amd64, "x") }, arm64 with { Attestation = Attestation(arm64, "y") }]);
        Assert.Equal(["linux/amd64", "linux/arm64", "unknown/unknown", "unknown/unknown"], index.Manifests.Select(m => m.Platform!.Os + "/" + m.Platform.Architecture));
        Assert.Equal([amd64.Manifest.Digest.ToString(), arm64.Manifest.Digest.ToString()], index.Manifests.Skip(2).Select(m => m.Annotation("vnd.docker.reference.digest")));
    }
}
