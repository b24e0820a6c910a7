using Tabula.Cli;
using Tabula.Oci;
using Tabula.Tests.Archives;

namespace Tabula.Tests.Cli;

/// <summary>One damaged image does not hide the others: <c>images</c> lists every readable image and names the bad one.</summary>
public class ImagesToleranceTests
{
    [Fact]
    public async Task ADamagedConfigIsMarkedAndTheOthersAreListed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var fixture = new ArchiveFixture();
        await fixture.AddSimpleImageAsync("good:1", "good");
        var bad = await fixture.AddSimpleImageAsync("bad:1", "bad");
        var manifest = OciJson.DeserializeManifest(await fixture.Store.ReadAllBytesAsync(bad.Digest, ct));
        var config = fixture.Store.BlobPath(manifest.Config.Digest);
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(config, "{\"architecture\":\"amd64\"}", ct); // damaged on disk: no longer its digest

        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CliApp.RunAsync(["--root", fixture.Store.Root, "images"], output, error, _ => null, ct);

        Assert.Equal(CliApp.Ok, code);
        Assert.Contains("good", output.ToString());
        Assert.Contains("unreadable", output.ToString());
        Assert.Contains("image bad:1 cannot be read", error.ToString());
    }

    [Fact]
    public async Task ADamagedManifestIsMarkedAndEveryOtherImageIsStillFoundByName()
    {
        var ct = TestContext.Current.CancellationToken;
        using var fixture = new ArchiveFixture();
        await fixture.AddSimpleImageAsync("good:1", "good");
        var bad = await fixture.AddSimpleImageAsync("bad:1", "bad");
        var manifest = fixture.Store.BlobPath(bad.Digest);
        File.SetUnixFileMode(manifest, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(manifest, "{\"schemaVersion\":", ct); // truncated on disk

        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(CliApp.Ok, await CliApp.RunAsync(["--root", fixture.Store.Root, "images"], output, error, _ => null, ct));
        Assert.Contains("good", output.ToString());
        Assert.Contains("image bad:1 cannot be read", error.ToString());

        output = new StringWriter();
        error = new StringWriter();
        Assert.Equal(CliApp.Ok, await CliApp.RunAsync(["--root", fixture.Store.Root, "inspect", "good:1"], output, error, _ => null, ct));
        Assert.Contains("\"good:1\"", output.ToString().Replace("docker.io/library/", "", StringComparison.Ordinal));

        error = new StringWriter();
        Assert.NotEqual(CliApp.Ok, await CliApp.RunAsync(["--root", fixture.Store.Root, "inspect", "bad:1"], new StringWriter(), error, _ => null, ct));
        Assert.Contains(bad.Digest.Short, error.ToString());
        Assert.DoesNotContain("   at ", error.ToString());
    }
}
