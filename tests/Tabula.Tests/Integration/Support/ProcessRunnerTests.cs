namespace Tabula.Tests.Integration.Support;

public sealed class ProcessRunnerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PassesStandardInputAndEnvironment()
    {
        var options = new ProcessOptions
        {
            StandardInput = "from stdin\n"u8.ToArray(),
            Environment = new Dictionary<string, string?> { ["TABULA_PROBE"] = "from env" },
        };

        var result = await ProcessRunner.RunAsync("sh", ["-c", "cat; echo \"$TABULA_PROBE\""], Token, options);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("from stdin\nfrom env\n", result.StandardOutput);
    }

    [Fact]
    public async Task CheckedRunNamesTheCommandAndItsStandardError()
    {
        var failure = await Assert.ThrowsAsync<ProcessFailedException>(
            () => ProcessRunner.RunCheckedAsync("sh", ["-c", "echo broken pipe dream >&2; exit 3"], Token));

        Assert.Equal(3, failure.Result.ExitCode);
        Assert.Contains("sh -c 'echo broken pipe dream >&2; exit 3'", failure.Message);
        Assert.Contains("broken pipe dream", failure.Message);
    }

    [Fact]
    public async Task KillsAProcessThatOutlivesItsTimeout()
    {
        var options = new ProcessOptions { Timeout = TimeSpan.FromMilliseconds(200) };

        await Assert.ThrowsAsync<TimeoutException>(() => ProcessRunner.RunAsync("sleep", ["30"], Token, options));
    }
}
