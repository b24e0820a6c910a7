using Tabula.Transports;

namespace Tabula.Tests.Transports;

public class ImageListingTests
{
    [Theory]
    [InlineData("alpine", "alpine", "3.19", true)]
    [InlineData("docker.io/library/alpine", "alpine", "3.19", true)]
    [InlineData("alpine:3.19", "alpine", "3.19", true)]
    [InlineData("alpine:latest", "alpine", "3.19", false)]
    [InlineData("alpin", "alpine", "3.19", false)]
    [InlineData("localhost:5000/team/app", "localhost:5000/team/app", "1", true)]
    [InlineData("localhost:5000/team/app:1", "localhost:5000/team/app", "1", true)]
    [InlineData("localhost:5000/team/app:2", "localhost:5000/team/app", "1", false)]
    [InlineData("<none>", "<none>", "<none>", true)]
    public void A_filter_matches_the_repository_and_its_tag_if_any(string filter, string repository, string tag, bool expected)
        => Assert.Equal(expected, ImageListing.Matches(filter, repository, tag));
}
