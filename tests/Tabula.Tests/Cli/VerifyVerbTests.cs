using Tabula.Cli;
using Tabula.Oci;
using Tabula.Tests.Archives;

namespace Tabula.Tests.Cli;

/// <summary><c>tabula verify</c>: a sound store passes; a layer whose bytes changed, a missing config and a wrong size are each named with their image.</summary>
public class VerifyVerbTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int Code, string Output)> VerifyAsync(ArchiveFixture fixture, params string[] images)
    {
        var output = new StringWriter();
        int code = await CliApp.RunAsync(["--root", fixture.Store.Root, "verify", .. images], output, new StringWriter(), _ => null, Ct);
        return (code, output.ToString());
    }

    [Fact]
    public async Task A_sound_store_passes()
    {
        using var fixture = new ArchiveFixture();
        await fixture.AddSimpleImageAsync("one:1", "one");
        await fixture.AddSimpleImageAsync("two:1", "two");

        var (code, output) = await VerifyAsync(fixture);

        Assert.Equal(CliApp.Ok, code);
        Assert.Contains("2 images checked, 0 with problems", output);
    }

    [Fact]
    public async Task Changed_bytes_a_missing_blob_and_a_wrong_size_are_named_with_their_image()
    {
        using var fixture = new ArchiveFixture();
        await fixture.AddSimpleImageAsync("good:1", "good");
        var flipped = await fixture.AddSimpleImageAsync("flipped:1", "flipped");
        var gone = await fixture.AddSimpleImageAsync("gone:1", "gone");
        var config = OciJson.DeserializeManifest(await fixture.Store.ReadAllBytesAsync(flipped.Digest, Ct)).Config; // the images share their layer
        var path = fixture.Store.BlobPath(config.Digest);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        bytes[^1] ^= 0xFF; // same size, other content
        await File.WriteAllBytesAsync(path, bytes, Ct);
        File.Delete(fixture.Store.BlobPath(OciJson.DeserializeManifest(await fixture.Store.ReadAllBytesAsync(gone.Digest, Ct)).Config.Digest));

        var (code, output) = await VerifyAsync(fixture);

        Assert.Equal(CliApp.Failure, code);
        Assert.Contains($"flipped:1: config {config.Digest}: content hashes to sha256:", output);
        Assert.Contains("gone:1: config sha256:", output);
        Assert.Contains(": missing", output);
        Assert.DoesNotContain("good:1:", output);
        Assert.Contains("3 images checked, 2 with problems", output);

        await File.WriteAllBytesAsync(path, bytes[..^1], Ct);
        Assert.Contains($"holds {bytes.Length - 1} bytes, its descriptor says {bytes.Length}", (await VerifyAsync(fixture, "flipped:1")).Output);
    }
}
