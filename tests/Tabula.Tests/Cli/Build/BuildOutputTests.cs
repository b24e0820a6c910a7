using Tabula.Cli;
using Tabula.Cli.Build;

namespace Tabula.Tests.Cli.Build;

/// <summary><c>build -o</c> read as buildx reads it.</summary>
public class BuildOutputTests
{
    [Theory]
    [InlineData("type=docker,dest=x.tar", "Docker", "x.tar")]
    [InlineData("type=oci,dest=x.tar", "Oci", "x.tar")]
    [InlineData("type=tar,dest=fs.tar", "Tar", "fs.tar")]
    [InlineData("type=local,dest=out", "Local", "out")]
    [InlineData("out", "Local", "out")]
    [InlineData("-", "Tar", null)]
    [InlineData("type=docker", "Docker", null)]
    [InlineData("type=image", "Image", null)]
    public void TypesAndDestinations(string text, string type, string? destination)
    {
        var output = BuildOutput.Parse(text);
        Assert.Equal(Enum.Parse<BuildOutputType>(type), output.Type);
        Assert.Equal(destination, output.Destination);
        Assert.False(output.Push);
    }

    [Fact]
    public void ImageNamesAreCsvQuotedAndPushIsABoolean()
    {
        var output = BuildOutput.Parse("type=image,\"name=a:1,reg.example:5000/b:2\",push=true");
        Assert.Equal(["a:1", "reg.example:5000/b:2"], output.Names);
        Assert.True(output.Push);
        Assert.True(BuildOutput.Parse("type=registry,name=x").Push);
    }

    [Fact]
    public void ArchivesWithoutDestinationGoToStdout()
    {
        Assert.True(BuildOutput.Parse("type=docker").ToStdout);
        Assert.True(BuildOutput.Parse("type=oci,dest=-").ToStdout);
        Assert.False(BuildOutput.Parse("type=oci,dest=a.tar").ToStdout);
        Assert.False(BuildOutput.Parse("type=image").ToStdout);
    }

    [Theory]
    [InlineData("type=local", "type=local needs dest=DIR")]
    [InlineData("type=zip,dest=x", "unknown type 'zip'")]
    [InlineData("dest=x", "give type=")]
    [InlineData("type=docker,compression=zstd", "'compression' is not an attribute")]
    [InlineData("type=tar,dest=x,push=true", "push=true goes with type=image")]
    [InlineData("type=image,dest=x", "type=image has no dest")]
    [InlineData("type=image,push=maybe", "push=maybe is not true or false")]
    [InlineData("type=image,\"name=a", "not closed")]
    public void MistakesAreUsageErrorsThatSayWhat(string text, string expected)
    {
        var error = Assert.Throws<UsageException>(() => BuildOutput.Parse(text));
        Assert.Contains(expected, error.Message);
        Assert.StartsWith($"invalid -o '{text}'", error.Message);
    }
}
