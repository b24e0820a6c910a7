using Tabula.Cli;

namespace Tabula.Tests.Cli;

public class DurationTextTests
{
    [Theory]
    [InlineData("20", 20_000)]
    [InlineData("20s", 20_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    public void ParsesSecondsAndUnits(string text, double milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), DurationText.Parse(text, "--timeout"));

    [Fact]
    public void ZeroMeansNoLimit() => Assert.Equal(Timeout.InfiniteTimeSpan, DurationText.Parse("0", "--timeout"));

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("5d")]
    [InlineData("1000h")]
    public void RefusesWhatIsNotADuration(string text)
    {
        var e = Assert.Throws<UsageException>(() => DurationText.Parse(text, "--timeout"));
        Assert.Contains("--timeout", e.Message);
    }

    [Fact]
    public async Task ABadTimeoutIsAUsageError()
    {
        var error = new StringWriter();
        int code = await CliApp.RunAsync(["--root", Path.Combine(Path.GetTempPath(), "tabula-no-store"), "--timeout", "soon", "images"], new StringWriter(), error, _ => null, TestContext.Current.CancellationToken);
        Assert.Equal(CliApp.Usage, code);
        Assert.Contains("--timeout 'soon'", error.ToString());
    }
}
