using Tabula.Oci;

namespace Tabula.Tests.Oci;

public class ImageReferenceTests
{
    [Theory]
    [InlineData("alpine", "docker.io/library/alpine:latest", "alpine:latest")]
    [InlineData("alpine:3.19.1", "docker.io/library/alpine:3.19.1", "alpine:3.19.1")]
    [InlineData("docker.io/library/alpine", "docker.io/library/alpine:latest", "alpine:latest")]
    [InlineData("index.docker.io/team/app:1", "docker.io/team/app:1", "team/app:1")]
    [InlineData("localhost/app", "localhost/app:latest", "localhost/app:latest")]
    [InlineData("localhost:5000/team/app:v1", "localhost:5000/team/app:v1", "localhost:5000/team/app:v1")]
    [InlineData("registry.example:5000/a/b/c", "registry.example:5000/a/b/c:latest", "registry.example:5000/a/b/c:latest")]
    [InlineData("127.0.0.1:5000/x", "127.0.0.1:5000/x:latest", "127.0.0.1:5000/x:latest")]
    public void NormalisesAsDockerDoes(string text, string full, string familiar)
    {
        var reference = ImageReference.Parse(text);
        Assert.Equal(full, reference.ToString());
        Assert.Equal(familiar, reference.ToFamiliarString());
    }

    [Fact]
    public void KeepsTagAndDigestTogether()
    {
        var digest = "sha256:" + new string('a', 64);
        var reference = ImageReference.Parse($"alpine:3.19@{digest}");
        Assert.Equal("3.19", reference.Tag);
        Assert.Equal(digest, reference.Digest.ToString());
        Assert.Null(ImageReference.Parse($"alpine@{digest}").Tag);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Alpine")]
    [InlineData("alpine:bad tag")]
    [InlineData("alpine@sha256:123")]
    [InlineData("a//b")]
    [InlineData("-leading")]
    public void RejectsWhatDockerRejects(string text)
    {
        Assert.Throws<ReferenceFormatException>(() => ImageReference.Parse(text));
        Assert.False(ImageReference.TryParse(text, out var reference));
        Assert.Null(reference);
        Assert.False(ImageReference.TryParseNamed(text, out _));
    }

    [Fact]
    public void TryParseNamedKeepsTheAbsenceOfATag()
    {
        Assert.True(ImageReference.TryParseNamed("alpine", out var named));
        Assert.Equal(("docker.io", "library/alpine", null), (named.Registry, named.Repository, named.Tag));
        Assert.True(ImageReference.TryParse("alpine", out var tagged));
        Assert.Equal("latest", tagged.Tag);
    }

    [Fact]
    public void TheMessageSaysWhyAReferenceIsRejected()
        => Assert.Contains("repository name must be lowercase", Assert.Throws<ReferenceFormatException>(() => ImageReference.Parse("Alpine")).Message);
}
