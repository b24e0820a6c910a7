using System.Text;
using Tabula.Content;
using Tabula.Oci;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Content;

public class ContentStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CommittedBlobIsVisibleReadOnlyAndVerified()
    {
        using var dir = new TempDir();
        var store = ContentStore.Open(dir.Path);
        var digest = await store.WriteBytesAsync(Encoding.UTF8.GetBytes("hello"), Ct);
        Assert.True(store.Exists(digest));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(store.BlobPath(digest)));
        Assert.Empty(Directory.EnumerateFiles(store.IngestPath));
        Assert.True(File.Exists(dir.Combine("oci-layout")));
        Assert.Equal("hello", Encoding.UTF8.GetString(await store.ReadAllBytesAsync(digest, Ct)));
    }

    [Fact]
    public async Task TheNextWriteRemovesTempFilesOfKilledCommandsAndKeepsThoseOfLiveOnes()
    {
        using var dir = new TempDir();
        var store = ContentStore.Open(dir.Path);
        const int deadPid = 999_999_999; // above any pid_max, so never a live process
        var deadIngest = Path.Combine(store.IngestPath, $"{deadPid}-0a1b");
        var deadTemp = dir.Combine($"index.json.{deadPid}-0a1b.tmp");
        var liveIngest = Path.Combine(store.IngestPath, $"{Environment.ProcessId}-0a1b");
        var liveTemp = dir.Combine($"index.json.{Environment.ProcessId}-0a1b.tmp");
        foreach (var path in new[] { deadIngest, deadTemp, liveIngest, liveTemp }) await File.WriteAllTextAsync(path, "partial", Ct);

        using (await store.AcquireWriteLeaseAsync(Ct)) { }

        Assert.False(File.Exists(deadIngest));
        Assert.False(File.Exists(deadTemp));
        Assert.True(File.Exists(liveIngest));
        Assert.True(File.Exists(liveTemp));
    }

    [Fact]
    public async Task MismatchedIngestStoresNothing()
    {
        using var dir = new TempDir();
        var store = ContentStore.Open(dir.Path);
        var claimed = Digest.Compute(Encoding.UTF8.GetBytes("expected"));
        await Assert.ThrowsAsync<DigestMismatchException>(() => store.IngestAsync(new MemoryStream(Encoding.UTF8.GetBytes("actual")), claimed, null, "test blob", Ct));
        Assert.False(store.Exists(claimed));
        Assert.Empty(Directory.EnumerateFiles(store.IngestPath));
        Assert.Empty(Directory.EnumerateFiles(dir.Combine("blobs", "sha256")));
    }

    [Fact]
    public async Task WrongSizeIsRejectedEvenWithTheRightPrefix()
    {
        using var dir = new TempDir();
        var store = ContentStore.Open(dir.Path);
        var bytes = Encoding.UTF8.GetBytes("truncated?");
        await Assert.ThrowsAsync<DigestMismatchException>(() => store.IngestAsync(new MemoryStream(bytes), Digest.Compute(bytes), bytes.Length + 1, "test blob", Ct));
    }

    [Fact]
    public async Task ReadingACorruptedBlobFailsAtTheEnd()
    {
        using var dir = new TempDir();
        var store = ContentStore.Open(dir.Path);
        var digest = await store.WriteBytesAsync(Encoding.UTF8.GetBytes("original"), Ct);
        var path = store.BlobPath(digest);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(path, "tampered", Ct);
        await using var stream = store.OpenRead(digest);
        await Assert.ThrowsAsync<DigestMismatchException>(() => stream.CopyToAsync(Stream.Null, Ct));
    }

    [Fact]
    public async Task AbandonedWriterLeavesNoTempFile()
    {
        using var dir = new TempDir();
        var store = ContentStore.Open(dir.Path);
        await using (var writer = store.BeginWrite())
            await writer.Stream.WriteAsync(new byte[100], Ct);
        Assert.Empty(Directory.EnumerateFiles(store.IngestPath));
    }
}
