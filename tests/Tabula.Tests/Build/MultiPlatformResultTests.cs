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
}
