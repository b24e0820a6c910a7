using Tabula.Cli;
using Tabula.Oci;
using Tabula.Tests.Archives;

namespace Tabula.Tests.Cli;

/// <summary>
/// One damaged image does not hide the others: <c>inspect</c> prints every image it can read and names the bad one
/// on stderr (exit 1, as docker's inspect for a missing one); <c>history</c> of a damaged image is one line, no trace.
/// </summary>
public class InspectHistoryToleranceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<ArchiveFixture> StoreWithADamagedConfigAsync()
    {
        var fixture = new ArchiveFixture();
        await fixture.AddSimpleImageAsync("good:1", "good");
        var bad = await fixture.AddSimpleImageAsync("bad:1", "bad");
        var manifest = OciJson.DeserializeManifest(await fixture.Store.ReadAllBytesAsync(bad.Digest, Ct));
        var config = fixture.Store.BlobPath(manifest.Config.Digest);
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(config, "{\"architecture\":", Ct); // damaged on disk: truncated, no longer its digest
        return fixture;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(ArchiveFixture fixture, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CliApp.RunAsync(["--root", fixture.Store.Root, .. args], output, error, _ => null, Ct);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Inspect_prints_the_readable_images_and_names_the_damaged_and_the_missing_one()
    {
        using var fixture = await StoreWithADamagedConfigAsync();

        var (code, output, error) = await RunAsync(fixture, "inspect", "bad:1", "good:1", "absent:1");

        Assert.Equal(CliApp.Failure, code);
        Assert.Contains("\"good:1\"", output);
        Assert.DoesNotContain("bad:1", output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("Error: image bad:1 cannot be read (", lines[0]);
        Assert.Contains("absent", lines[1]);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task History_of_a_damaged_image_is_one_line_naming_it()
    {
        using var fixture = await StoreWithADamagedConfigAsync();

        var (code, _, error) = await RunAsync(fixture, "history", "bad:1");

        Assert.Equal(CliApp.Failure, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Error: image bad:1 cannot be read (", error);
        Assert.Equal(CliApp.Ok, (await RunAsync(fixture, "history", "good:1")).Code);
    }
}
