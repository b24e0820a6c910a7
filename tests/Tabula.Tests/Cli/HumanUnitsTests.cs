using Tabula.Cli.Formatting;

namespace Tabula.Tests.Cli;

public class HumanUnitsTests
{
    [Theory]
    [InlineData(0, "0B")]
    [InlineData(999, "999B")]
    [InlineData(7_373_000, "7.37MB")]
    [InlineData(1_990_000, "1.99MB")]
    [InlineData(1_000_000_000, "1GB")]
    public void SizesReadAsDockerPrintsThem(double bytes, string expected) => Assert.Equal(expected, HumanUnits.Size(bytes));

    /// <summary>docker's CreatedAt is Go's Time.String() of the image's time (the CLI's zone; tabula's is always UTC).</summary>
    [Fact]
    public void CreatedAtReadsAsGoPrintsATimeInUtc()
    {
        Assert.Equal("2024-01-02 03:04:05 +0000 UTC", HumanUnits.GoTimeString(new DateTimeOffset(2024, 1, 2, 5, 4, 5, TimeSpan.FromHours(2))));
        Assert.Equal("", HumanUnits.GoTimeString(null));
    }

    [Theory]
    [InlineData(0.5, "Less than a second")]
    [InlineData(1, "1 second")]
    [InlineData(45, "45 seconds")]
    [InlineData(61, "About a minute")]
    [InlineData(120, "2 minutes")]
    [InlineData(3600, "About an hour")]
    [InlineData(3 * 3600, "3 hours")]
    [InlineData(3 * 86400, "3 days")]
    [InlineData(20 * 86400, "2 weeks")]
    [InlineData(70 * 86400, "2 months")]
    [InlineData(800 * 86400, "2 years")]
    public void AgesReadAsDockerPrintsThem(double seconds, string expected)
        => Assert.Equal(expected, HumanUnits.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void TablesPadLikeTabwriter()
    {
        var table = new TextTable("REPOSITORY", "TAG", "SIZE");
        table.Add("scratch-alpine", "latest", "7.37MB");
        var output = new StringWriter();
        table.WriteTo(output);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("REPOSITORY       TAG       SIZE", lines[0]);
        Assert.Equal("scratch-alpine   latest    7.37MB", lines[1]);
    }
}
