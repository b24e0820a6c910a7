using System.Text;
using Tabula.Oci;

namespace Tabula.Tests.Oci;

/// <summary>Documents that parse but lack what the schemas require are refused when read, naming the field.</summary>
public class SpecChecksTests
{
    private static readonly string Desc = "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + new string('a', 64) + "\",\"size\":2}";

    [Theory]
    [InlineData("{\"schemaVersion\":2}", "'manifests'")]
    [InlineData("{\"schemaVersion\":2,\"manifests\":null}", "'manifests'")]
    [InlineData("{\"schemaVersion\":2,\"manifests\":[null]}", "'manifests[0]'")]
    public void IndexWithoutItsManifests(string json, string field) =>
        Assert.Contains(field, Assert.Throws<InvalidDataException>(() => OciJson.DeserializeIndex(Encoding.UTF8.GetBytes(json))).Message);

    [Fact]
    public void IndexWithANegativeSize()
    {
        var json = "{\"schemaVersion\":2,\"manifests\":[" + Desc.Replace("\"size\":2", "\"size\":-5") + "]}";
        Assert.Contains("negative", Assert.Throws<InvalidDataException>(() => OciJson.DeserializeIndex(Encoding.UTF8.GetBytes(json))).Message);
    }

    [Theory]
    [InlineData("\"layers\":null", "'layers'")]
    [InlineData("\"layers\":[null]", "'layers[0]'")]
    public void ManifestWithoutItsLayers(string layers, string field)
    {
        var json = "{\"schemaVersion\":2,\"config\":" + Desc + "," + layers + "}";
        Assert.Contains(field, Assert.Throws<InvalidDataException>(() => OciJson.DeserializeManifest(Encoding.UTF8.GetBytes(json))).Message);
    }

    [Fact]
    public void ManifestWithANullConfig() =>
        Assert.Contains("'config'", Assert.Throws<InvalidDataException>(() => OciJson.DeserializeManifest("{\"schemaVersion\":2,\"config\":null,\"layers\":[]}"u8)).Message);

    [Theory]
    [InlineData("{\"architecture\":\"amd64\",\"os\":\"linux\"}", "'rootfs'")]
    [InlineData("{\"rootfs\":null}", "'rootfs'")]
    [InlineData("{\"rootfs\":{\"type\":\"layers\"}}", "'rootfs.diff_ids'")]
    [InlineData("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":null}}", "'rootfs.diff_ids'")]
    [InlineData("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[null]}", "'history'")]
    public void ConfigWithoutRootfs(string json, string field) =>
        Assert.Contains(field, Assert.Throws<InvalidDataException>(() => OciJson.DeserializeConfig(Encoding.UTF8.GetBytes(json))).Message);

    [Fact]
    public void AMinimalValidConfigStillReads() =>
        Assert.Empty(OciJson.DeserializeConfig("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"u8).RootFs.DiffIds);
}
