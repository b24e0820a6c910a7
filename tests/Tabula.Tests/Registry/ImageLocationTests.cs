using Tabula.Transports;

namespace Tabula.Tests.Registry;

public class ImageLocationTests
{
    [Theory]
    [InlineData("docker://127.0.0.1:5000/a/b:1", TransportKind.Registry, "", "127.0.0.1:5000/a/b:1")]
    [InlineData("store:busybox:1", TransportKind.Store, "", "busybox:1")]
    [InlineData("oci:/tmp/layout:v1", TransportKind.OciLayout, "/tmp/layout", "v1")]
    [InlineData("oci:/tmp/layout", TransportKind.OciLayout, "/tmp/layout", null)]
    [InlineData("oci-archive:img.tar:latest", TransportKind.OciArchive, "img.tar", "latest")]
    [InlineData("docker-archive:img.tar:busybox:1", TransportKind.DockerArchive, "img.tar", "busybox:1")]
    [InlineData("docker-daemon:busybox:1", TransportKind.DockerDaemon, "", "busybox:1")]
    public void ParsesSkopeoTransportNames(string text, TransportKind kind, string path, string? reference)
    {
        var location = ImageLocation.Parse(text);
        Assert.Equal(new ImageLocation(kind, path, reference), location);
        Assert.Equal(text, location.ToString());
    }

    [Fact]
    public void UnknownTransportIsAFormatError() => Assert.Throws<FormatException>(() => ImageLocation.Parse("ftp://x"));
}
