using System.Text;
using Tabula.Registry;

namespace Tabula.Tests.Registry;

public class RegistryProtocolTests
{
    [Fact]
    public void ErrorBodyGivesCodesAndMessages()
    {
        var errors = RegistryException.ParseErrors(Encoding.UTF8.GetBytes("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\",\"detail\":{}},{\"code\":\"DENIED\"}]}"));
        Assert.Equal([new RegistryError("MANIFEST_UNKNOWN", "manifest unknown"), new RegistryError("DENIED", "")], errors);
        Assert.Empty(RegistryException.ParseErrors("<html>bad gateway</html>"u8));
        Assert.Empty(RegistryException.ParseErrors([]));
    }

    [Fact]
    public void LinkHeaderGivesTheNextPage()
    {
        Assert.Equal("v2/a/tags/list?last=b&n=2", RegistryClient.NextLink("</v2/a/tags/list?last=b&n=2>; rel=\"next\""));
        Assert.Null(RegistryClient.NextLink("</v2/a/tags/list?last=b&n=2>; rel=\"prev\""));
        Assert.Null(RegistryClient.NextLink(null));
    }

    [Fact]
    public void RangeHeaderGivesTheLastByteHeld()
    {
        Assert.Equal(1023, RegistryClient.ParseRangeEnd("0-1023"));
        Assert.Equal(9, RegistryClient.ParseRangeEnd("bytes=0-9"));
        Assert.Null(RegistryClient.ParseRangeEnd("garbage"));
    }

    [Theory]
    [InlineData("localhost:5000", true)]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("registry.example:5000", false)]
    [InlineData("docker.io", false)]
    [InlineData("128.0.0.1", false)]
    public void PlainHttpOnlyForLoopbackOrInsecureHosts(string host, bool plain)
    {
        Assert.Equal(plain, new RegistryOptions().AllowsPlainHttp(host));
        Assert.True(new RegistryOptions { InsecureRegistries = new HashSet<string> { host } }.AllowsPlainHttp(host));
    }

    [Theory]
    [InlineData("", "docker.io")]
    [InlineData("https://index.docker.io/v1/", "docker.io")]
    [InlineData("https://Registry.Example:5000/", "registry.example:5000")]
    [InlineData("127.0.0.1:5000", "127.0.0.1:5000")]
    public void LoginServerNamesAreNormalised(string text, string host) => Assert.Equal(host, RegistryHost.Normalize(text));
}
