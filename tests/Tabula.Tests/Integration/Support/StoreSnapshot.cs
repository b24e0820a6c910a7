using System.Security.Cryptography;

namespace Tabula.Tests.Integration.Support;

/// <summary>
/// What a failed command must not change in a store: <c>index.json</c> (byte for byte) and the blobs there were.
/// New blobs are allowed (orphans that GC removes), but only complete ones: every file under <c>blobs/</c> must
/// be named by its algorithm and digest and hold exactly the bytes that digest names.
/// </summary>
public sealed class StoreSnapshot
{
    private readonly string _root;
    private readonly byte[]? _index;
    private readonly IReadOnlySet<string> _blobs;

    private StoreSnapshot(string root, byte[]? index, IReadOnlySet<string> blobs)
    {
        _root = root;
        _index = index;
        _blobs = blobs;
    }

    public static StoreSnapshot Take(string storeRoot)
    {
        var root = Path.GetFullPath(storeRoot);
        var index = Path.Combine(root, "index.json");
        return new StoreSnapshot(root, File.Exists(index) ? File.ReadAllBytes(index) : null, BlobFiles(root).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>
    /// Fails unless the store kept its index and blobs and shows no blob that is not whole; with
    /// <paramref name="noNewBlobs"/> (after a GC), unless the blobs are exactly those there were.
    /// </summary>
    public void AssertKept(bool noNewBlobs = false)
    {
        var index = Path.Combine(_root, "index.json");
        var now = File.Exists(index) ? File.ReadAllBytes(index) : null;
        Assert.True(_index is null ? now is null : now is not null && now.AsSpan().SequenceEqual(_index),
            "index.json changed:\n" + (now is null ? "(gone)" : System.Text.Encoding.UTF8.GetString(now)));

        var blobs = BlobFiles(_root).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(_blobs.Except(blobs));
        if (noNewBlobs)
            Assert.Empty(blobs.Except(_blobs));
        var damaged = blobs.Where(blob => !IsWhole(Path.Combine(_root, blob))).ToList();
        Assert.True(damaged.Count == 0, "blobs whose bytes do not match their name:\n" + string.Join('\n', damaged));
    }

    /// <summary>Every file below <c>blobs/</c>, as a path relative to the store root with '/' separators.</summary>
    private static IEnumerable<string> BlobFiles(string root)
    {
        var blobs = Path.Combine(root, "blobs");
        if (!Directory.Exists(blobs))
            return [];
        return Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'));
    }

    /// <summary><c>blobs/sha256/HEX</c> whose content hashes to HEX.</summary>
    private static bool IsWhole(string path)
    {
        var name = Path.GetFileName(path);
        if (Path.GetFileName(Path.GetDirectoryName(path)) != "sha256" || name.Length != 64 || !name.All(char.IsAsciiHexDigitLower))
            return false;
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file)) == name;
    }
}
