using System.Diagnostics;
using Tabula.Cli;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Cli;

/// <summary>Times and paths beyond what the system or an image can hold get one line that says the limit, not .NET's wording.</summary>
public class TimeAndPathLimitTests
{
    private static async Task<(int Code, string Err)> RunAsync(string root, params string[] args)
    {
        var error = new StringWriter();
        int code = await CliApp.RunAsync(["--root", root, .. args], new StringWriter(), error, _ => null, TestContext.Current.CancellationToken);
        return (code, error.ToString());
    }

    [Theory]
    [InlineData("99999999999999")]
    [InlineData("253402300800")] // one second after the end of year 9999
    public async Task A_timestamp_past_year_9999_is_a_usage_error_naming_the_limit(string seconds)
    {
        using var store = new TempDir();
        var (code, err) = await RunAsync(store.Path, "build", "--timestamp", seconds, RepositoryPaths.Example("hello"));
        Assert.Equal(CliApp.Usage, code);
        Assert.Equal($"Error: invalid timestamp '{seconds}': give whole seconds since the Unix epoch (as SOURCE_DATE_EPOCH), at most 253402300799 (the end of year 9999)", err.Trim());
    }

    [Fact]
    public async Task A_context_file_dated_past_year_9999_is_named_in_one_line()
    {
        // tmpfs keeps any 64-bit time; ext4 would clamp it, and .NET cannot set it.
        if (!Directory.Exists("/dev/shm")) Assert.Fail("/dev/shm (tmpfs) is missing: this Linux machine is unusual");
        var context = Directory.CreateDirectory(Path.Combine("/dev/shm", $"tabula-far-time-{Guid.NewGuid():N}"));
        try
        {
            await File.WriteAllTextAsync(Path.Combine(context.FullName, "Dockerfile"), "FROM scratch\nCOPY far /\n", TestContext.Current.CancellationToken);
            var far = Path.Combine(context.FullName, "far");
            await File.WriteAllTextAsync(far, "x", TestContext.Current.CancellationToken);
            using (var touch = Process.Start("touch", ["-d", "@99999999999999", far]))
                await touch.WaitForExitAsync(TestContext.Current.CancellationToken);
            using var store = new TempDir();

            var (code, err) = await RunAsync(store.Path, "build", "-q", context.FullName);

            Assert.Equal(CliApp.Failure, code);
            var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("far: its modification time (99999999999999 s since 1970) is outside the years 1-9999", line);
        }
        finally
        {
            context.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_store_path_with_a_name_over_255_bytes_says_the_limit()
    {
        using var parent = new TempDir();
        var root = Path.Combine(parent.Path, new string('a', 300));
        var (code, err) = await RunAsync(root, "images");
        Assert.Equal(CliApp.Failure, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Error: a path is too long (Linux allows 255 bytes per name and 4,096 in all): ", line);
        Assert.Contains("(", line[^20..]); // abbreviated, with the full length
        Assert.DoesNotContain("component of the specified path", line);
    }
}
