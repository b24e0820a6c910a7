using System.Text;
using Tabula.Oci;

namespace Tabula.Tests.Oci;

public class DigestAndJsonTests
{
    [Fact]
    public void DigestOfEmptyInputIsTheWellKnownOne()
        => Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digest.Compute([]).ToString());

    [Theory]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("sha256:abc")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public void RejectsMalformedDigests(string text) => Assert.False(Digest.TryParse(text, out _));

    [Fact]
    public void ConfigRoundTripsWithGoTimesAndDockerFieldNames()
    {
        var config = new ImageConfig
        {
            Created = DateTimeOffset.FromUnixTimeSeconds(0),
            Architecture = "amd64",
            Os = "linux",
            Config = new ContainerConfig { Cmd = ["/bin/sh"], ArgsEscaped = true, ExposedPorts = new Dictionary<string, EmptyObject> { ["80/tcp"] = EmptyObject.Instance } },
            RootFs = new RootFs { DiffIds = [Digest.Compute([])] },
            History = [new HistoryEntry { CreatedBy = "CMD [\"/bin/sh\"]", EmptyLayer = true, Comment = "buildkit.dockerfile.v0" }],
        };
        var json = Encoding.UTF8.GetString(OciJson.Serialize(config));
        Assert.Contains("\"created\":\"1970-01-01T00:00:00Z\"", json);
        Assert.Contains("\"Cmd\":[\"/bin/sh\"]", json);
        Assert.Contains("\"ExposedPorts\":{\"80/tcp\":{}}", json);
        Assert.Contains("\"diff_ids\":[\"sha256:e3b0", json);
        Assert.DoesNotContain("null", json);
        var back = OciJson.DeserializeConfig(Encoding.UTF8.GetBytes(json));
        Assert.Equal(config.Created, back.Created);
        Assert.Equal(json, Encoding.UTF8.GetString(OciJson.Serialize(back)));
    }

    [Fact]
    public void ReadsNanosecondTimesAndKeepsUnknownFields()
    {
        var json = """{"created":"2024-01-26T23:44:47.123456789Z","architecture":"amd64","os":"linux","docker_version":"20.10.24","rootfs":{"type":"layers","diff_ids":[]}}""";
        var config = OciJson.DeserializeConfig(Encoding.UTF8.GetBytes(json));
        Assert.Equal(new DateTimeOffset(2024, 1, 26, 23, 44, 47, TimeSpan.Zero).AddTicks(1234567), config.Created);
        Assert.Contains("docker_version", Encoding.UTF8.GetString(OciJson.Serialize(config)));
    }

    [Theory]
    [InlineData("linux/amd64", "linux/amd64")]
    [InlineData("linux/arm64", "linux/arm64")]
    [InlineData("linux/aarch64", "linux/arm64")]
    [InlineData("linux/arm", "linux/arm/v7")]
    [InlineData("linux/x86_64", "linux/amd64")]
    public void PlatformsNormalise(string text, string expected) => Assert.Equal(expected, Platform.Parse(text).ToString());
}

public class GoJsonEscapingTests
{
    [Fact]
    public void EscapesAsGoEncodingJsonDoes()
    {
        var config = new Tabula.Oci.ImageConfig
        {
            Architecture = "amd64",
            Os = "linux",
            Config = new Tabula.Oci.ContainerConfig { Cmd = ["/bin/sh", "-c", "echo \"a+b\" <x> & y\\z\tq\u0001 é ☃"] },
        };
        var json = System.Text.Encoding.UTF8.GetString(Tabula.Oci.OciJson.Serialize(config));
        Assert.Contains("\"echo \\\"a+b\\\" \\u003cx\\u003e \\u0026 y\\\\z\\tq\\u0001 é ☃\"", json);
    }
}
