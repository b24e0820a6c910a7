using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// A command that fails on bad input says why in one line, exits with 1 and leaves the store as it was:
/// the same <c>index.json</c>, the same blobs, and nothing under <c>blobs/</c> that is not whole (new
/// complete blobs are allowed: they are orphans that GC removes). Each store already holds an image.
/// </summary>
public sealed class BadInputTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MalformedDockerfileNamesItsLine()
    {
        using var temp = new TempDir("bad-dockerfile");
        var (tabula, snapshot) = await StoreWithAnImageAsync(temp);
        var context = GeneratedContext.Create(temp.Combine("context"), files: 1, fileSize: 1000, "FROM scratch\nCOPY data /data\nFROMM scratch\n");

        var result = await tabula.RunAsync(["build", "-t", "bad:latest", context], Token);

        AssertOneLineFailure(result, "Dockerfile:3");
        await AssertKeptAsync(tabula, snapshot);
    }

    [Fact]
    public async Task MissingContextFileIsNamed()
    {
        using var temp = new TempDir("missing-file");
        var (tabula, snapshot) = await StoreWithAnImageAsync(temp);
        // The COPY before it writes a layer first: the failure may leave that blob only as an orphan.
        var context = GeneratedContext.Create(temp.Combine("context"), files: 1, fileSize: 1000, "FROM scratch\nCOPY data /data\nADD rootfs-missing.tar.gz /\n");

        var result = await tabula.RunAsync(["build", "-t", "bad:latest", context], Token);

        AssertOneLineFailure(result, "rootfs-missing.tar.gz");
        await AssertKeptAsync(tabula, snapshot);
    }

    [Theory]
    [InlineData("docker")]
    [InlineData("docker-oci")]
    [InlineData("oci-archive")]
    public async Task TruncatedArchiveIsRefused(string format)
    {
        using var temp = new TempDir("truncated-archive");
        var (tabula, snapshot) = await StoreWithAnImageAsync(temp);
        var (archive, _) = await SavedGeneratedImageAsync(temp, format);
        var truncated = await ArchiveDamage.TruncateAsync(archive, temp.Combine("truncated.tar"), keepFraction: 0.6, Token);

        var result = await tabula.RunAsync(["load", "-i", truncated], Token);

        AssertOneLineFailure(result, truncated);
        await AssertKeptAsync(tabula, snapshot);
    }

    [Theory]
    [InlineData("docker")]
    [InlineData("docker-oci")]
    [InlineData("oci-archive")]
    public async Task ArchiveWithACorruptedLayerByteIsRefused(string format)
    {
        using var temp = new TempDir("corrupt-layer");
        var (tabula, snapshot) = await StoreWithAnImageAsync(temp);
        var (archive, layerEntry) = await SavedGeneratedImageAsync(temp, format);
        var corrupted = await ArchiveDamage.FlipByteInEntryAsync(archive, layerEntry, temp.Combine("corrupted.tar"), Token);

        var result = await tabula.RunAsync(["load", "-i", corrupted], Token);

        AssertOneLineFailure(result, layerEntry);
        await AssertKeptAsync(tabula, snapshot);
    }

    [Fact]
    public async Task CancelledBuildLeavesNothingHalfWritten()
    {
        using var temp = new TempDir("cancelled-build");
        var (tabula, snapshot) = await StoreWithAnImageAsync(temp);
        // 48 MB that does not compress: writing the layer takes long enough to be cancelled in the middle.
        var context = GeneratedContext.Create(temp.Combine("context"), files: 24, fileSize: 2 << 20, "FROM scratch\nCOPY data /data\n");
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Token);
        // Cancelled as the COPY step starts (the CLI prints its step lines as the classic builder does).
        var output = new CancelOnLine("Step 2/2 :", cancellation);

        var result = await tabula.RunAsync(["build", "-t", "cancelled:latest", context], cancellation.Token, output);

        TestContext.Current.TestOutputHelper?.WriteLine($"exit {result.ExitCode}: {result.StandardOutput}{result.StandardError}");
        Assert.True(output.Cancelled, "the build never started its COPY step:\n" + result.StandardOutput + result.StandardError);
        Assert.NotEqual(0, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("Error: cancelled; nothing was left half-written", line);
        await AssertKeptAsync(tabula, snapshot);
    }

    /// <summary>A store holding the hello example as <c>hello:latest</c>, and its snapshot.</summary>
    private static async Task<(TabulaCli Tabula, StoreSnapshot Snapshot)> StoreWithAnImageAsync(TempDir temp)
    {
        var tabula = new TabulaCli(temp.Combine("store"));
        await tabula.BuildAsync(RepositoryPaths.Example("hello"), "hello:latest", Token);
        return (tabula, StoreSnapshot.Take(tabula.StoreRoot));
    }

    /// <summary>An image of generated files, built in a store of its own and saved; with the archive entry of its layer.</summary>
    private static async Task<(string Archive, string LayerEntry)> SavedGeneratedImageAsync(TempDir temp, string format)
    {
        var context = GeneratedContext.Create(temp.Combine("source-context"), files: 4, fileSize: 256 << 10, "FROM scratch\nCOPY data /data\n");
        var source = new TabulaCli(temp.Combine("source-store"));
        await source.BuildAsync(context, "generated:latest", Token);
        var archive = await source.SaveAsync("generated:latest", temp.Combine($"generated-{format}.tar"), format, Token);
        if (format == "docker")
            return (archive, Assert.Single(await DockerSaveArchive.ReadLayerPathsAsync(archive, Token)));
        var (_, manifest) = await source.ReadManifestAsync("generated:latest", Token);
        return (archive, "blobs/sha256/" + Assert.Single(manifest.Layers).Digest.Encoded);
    }

    /// <summary>
    /// The store is as it was, give or take whole orphan blobs; <c>prune</c> removes exactly those (so nothing
    /// named them), and the image that was there is still whole.
    /// </summary>
    private static async Task AssertKeptAsync(TabulaCli tabula, StoreSnapshot snapshot)
    {
        snapshot.AssertKept();
        await tabula.RunCheckedAsync(["prune"], Token);
        snapshot.AssertKept(noNewBlobs: true);
        var files = await tabula.RunCheckedAsync(["ls", "hello:latest"], Token);
        Assert.Contains(" hello\n", files.StandardOutput);
    }

    private static void AssertOneLineFailure(ProcessResult result, string mention)
    {
        TestContext.Current.TestOutputHelper?.WriteLine($"exit {result.ExitCode}: {result.StandardError}");
        Assert.Equal(1, result.ExitCode);
        var error = result.StandardError.TrimEnd('\n');
        Assert.DoesNotContain('\n', error);
        Assert.StartsWith("Error: ", error);
        Assert.Contains(mention, error);
    }

    /// <summary>Cancels the build once a line of its output contains the text.</summary>
    private sealed class CancelOnLine(string text, CancellationTokenSource cancellation) : StringWriter
    {
        public bool Cancelled { get; private set; }

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (Cancelled || value?.Contains(text, StringComparison.Ordinal) != true)
                return;
            Cancelled = true;
            // Not Cancel(): its callbacks would run inside the builder's progress report.
            _ = cancellation.CancelAsync();
        }
    }
}
