using System.Security.Cryptography;
using Tabula.Build;
using Tabula.Layers;

namespace Tabula.Tests.Build;

/// <summary>
/// The context files' sha256 for cache keys: right for every size (empty, one read, exactly the read buffer, many
/// reads), and a small file is read again each time (not remembered), so a change that keeps its stat still shows.
/// </summary>
public sealed class FileChecksumsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tabula-checksums-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64 << 10)]
    [InlineData(1 << 17)]
    [InlineData((1 << 17) + 1)]
    [InlineData((3 << 20) + 7)]
    public async Task Each_size_hashes_to_the_sha256_of_its_content(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        var path = Path.Combine(_dir, "f");
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
        var checksums = new FileChecksums(Path.Combine(_dir, "store"));

        var first = checksums.Sha256(path, Posix.Lstat(path)!, TestContext.Current.CancellationToken);
        var again = checksums.Sha256(path, Posix.Lstat(path)!, TestContext.Current.CancellationToken);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), first);
        Assert.Equal(first, again);
    }

    [Fact]
    public async Task A_small_file_is_read_again_so_a_change_under_the_same_stat_shows()
    {
        var path = Path.Combine(_dir, "small");
        await File.WriteAllTextAsync(path, "one", TestContext.Current.CancellationToken);
        var status = Posix.Lstat(path)!;
        var checksums = new FileChecksums(Path.Combine(_dir, "store"));
        var before = checksums.Sha256(path, status, TestContext.Current.CancellationToken);

        await File.WriteAllTextAsync(path, "two", TestContext.Current.CancellationToken);
        var after = checksums.Sha256(path, status, TestContext.Current.CancellationToken); // the old stat, as a stale caller would pass

        Assert.NotEqual(before, after);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("two"u8)), after);
    }
}
