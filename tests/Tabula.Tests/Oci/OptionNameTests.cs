using Tabula.Oci;
using Tabula.Runtime;

namespace Tabula.Tests.Oci;

/// <summary>The names users give compression and network modes on the command line.</summary>
public class OptionNameTests
{
    [Theory]
    [InlineData("gzip", LayerCompression.Gzip)]
    [InlineData("zstd", LayerCompression.Zstd)]
    [InlineData("none", LayerCompression.None)]
    [InlineData("uncompressed", LayerCompression.None)]
    public void Compression_names(string text, LayerCompression expected)
    {
        Assert.True(LayerCompressionNames.TryParse(text, out var compression));
        Assert.Equal(expected, compression);
    }

    [Theory]
    [InlineData("GZIP")]
    [InlineData("xz")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_compression_names_are_refused(string? text) => Assert.False(LayerCompressionNames.TryParse(text, out _));

    [Theory]
    [InlineData("host", NetworkMode.Host)]
    [InlineData("default", NetworkMode.Host)]
    [InlineData("none", NetworkMode.None)]
    public void Network_mode_names(string text, NetworkMode expected)
    {
        Assert.True(NetworkModeNames.TryParse(text, out var mode));
        Assert.Equal(expected, mode);
    }

    [Theory]
    [InlineData("bridge")]
    [InlineData("Host")]
    [InlineData(null)]
    public void Unknown_network_modes_are_refused(string? text) => Assert.False(NetworkModeNames.TryParse(text, out _));
}
