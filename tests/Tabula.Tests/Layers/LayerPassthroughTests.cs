using System.Formats.Tar;
using Tabula.Layers;
using Tabula.Oci;

namespace Tabula.Tests.Layers;

public class LayerPassthroughTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static List<LayerEntry> RootfsEntries() =>
    [
        TarTestData.Dir("bin"),
        TarTestData.File("bin/busybox", 5000, mode: 0b111_101_101),
        TarTestData.Symlink("bin/sh", "busybox"),
        TarTestData.Dir("etc"),
        TarTestData.File("etc/passwd", 120),
        TarTestData.Hardlink("etc/passwd-", "etc/passwd"),
        TarTestData.Dir("tmp", mode: LayerModes.Sticky | 0b111_111_111),
        TarTestData.Dir("usr"),
        TarTestData.Symlink("usr/bin", "../bin"),
        TarTestData.File("usr/share", 7) with { Uid = 1000, Gid = 1000 },
    ];

    [Fact]
    public async Task A_gzip_layer_passes_through_byte_for_byte()
    {
        var tar = await TarTestData.WriteTarAsync(RootfsEntries(), Ct);
        var gzip = CompressedSamples.Gzip(tar);
        var destination = new MemoryStream();

        var result = await LayerPassthrough.CopyAsync(new MemoryStream(gzip), destination, EntryRewrites.None, LayerCompressionSettings.Gzip(), Ct);

        Assert.True(result.IsEligible, result.IneligibleBecause);
        Assert.Equal(gzip, destination.ToArray());
        Assert.Equal(new WrittenLayer(Digest.Compute(tar), Digest.Compute(gzip), gzip.Length, tar.Length, LayerCompression.Gzip), result.Layer);
    }

    [Fact]
    public async Task A_plain_tar_is_the_layer_and_is_compressed_in_the_same_pass()
    {
        var tar = await TarTestData.WriteTarAsync(RootfsEntries(), Ct);
        var destination = new MemoryStream();

        var result = await LayerPassthrough.CopyAsync(new MemoryStream(tar), destination, EntryRewrites.None, LayerCompressionSettings.Zstd(), Ct);

        Assert.True(result.IsEligible, result.IneligibleBecause);
        Assert.Equal(Digest.Compute(tar), result.Layer!.DiffId);
        Assert.Equal(Digest.Compute(destination.ToArray()), result.Layer.Digest);
        Assert.Equal(LayerCompression.Zstd, result.Layer.Compression);
    }

    [Fact]
    public async Task Tars_with_a_dot_slash_prefix_and_a_plain_root_entry_are_eligible()
    {
        var dotted = TarTestData.BclTar(TarEntryFormat.Pax, ("./etc/", TarEntryType.Directory, null), ("./etc/hosts", TarEntryType.RegularFile, "x"));
        Assert.True((await CopyAsync(dotted, EntryRewrites.None)).IsEligible);
        var withRoot = TarWithRoot(0b111_101_101, 0);
        var result = await CopyAsync(withRoot, EntryRewrites.None);
        Assert.True(result.IsEligible, result.IneligibleBecause);
    }

    [Theory]
    [InlineData(0b111_000_000, 0, "root itself with an owner, mode")]
    [InlineData(0b111_111_111, 0, "root itself with an owner, mode")]
    [InlineData(0b111_101_101, 1000, "root itself with an owner, mode")]
    public async Task A_root_entry_that_would_change_the_root_is_not_eligible(int mode, int uid, string reason)
        => Assert.Contains(reason, (await CopyAsync(TarWithRoot(mode, uid), EntryRewrites.None)).IneligibleBecause);

    [Fact]
    public async Task A_root_entry_that_is_not_a_directory_or_comes_twice_is_not_eligible()
    {
        var fileRoot = TarTestData.BclTar(TarEntryFormat.Pax, ("./", TarEntryType.SymbolicLink, "/"));
        Assert.Contains("not a directory", (await CopyAsync(fileRoot, EntryRewrites.None)).IneligibleBecause);
        var twice = TarTestData.BclTar(TarEntryFormat.Pax, ("./", TarEntryType.Directory, null), (".", TarEntryType.Directory, null));
        Assert.Contains("appears twice", (await CopyAsync(twice, EntryRewrites.None)).IneligibleBecause);
    }

    /// <summary>A distribution-style tarball: <c>./</c> with the given mode and owner, then <c>./etc/</c>.</summary>
    private static byte[] TarWithRoot(int mode, int uid)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./") { Mode = (UnixFileMode)mode, Uid = uid, Gid = uid, ModificationTime = TarTestData.Time });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./etc/") { Mode = (UnixFileMode)0b111_101_101, ModificationTime = TarTestData.Time });
        }
        return output.ToArray();
    }

    public static TheoryData<string, string> Ineligible => new()
    {
        { "abs", "is absolute" },
        { "dotdot", "'..'" },
        { "whiteout", "whiteout" },
        { "duplicate", "twice" },
        { "symlink-parent", "symlink planted" },
        { "missing-parent", "not in the archive before it" },
        { "hardlink-forward", "not earlier in the archive" },
        { "sparse", "kind layers do not hold" },
    };

    [Theory]
    [MemberData(nameof(Ineligible))]
    public async Task Unsafe_or_rewritten_archives_are_not_eligible(string @case, string reason)
    {
        (string, TarEntryType, string?)[] entries = @case switch
        {
            "abs" => [("/etc/", TarEntryType.Directory, null)],
            "dotdot" => [("a/", TarEntryType.Directory, null), ("a/../b", TarEntryType.RegularFile, "x")],
            "whiteout" => [("a/", TarEntryType.Directory, null), ("a/.wh.b", TarEntryType.RegularFile, null)],
            "duplicate" => [("a", TarEntryType.RegularFile, "1"), ("a", TarEntryType.RegularFile, "2")],
            "symlink-parent" => [("evil", TarEntryType.SymbolicLink, "/"), ("evil/etc", TarEntryType.Directory, null)],
            "missing-parent" => [("a/b", TarEntryType.RegularFile, "x")],
            "hardlink-forward" => [("h", TarEntryType.HardLink, "f"), ("f", TarEntryType.RegularFile, "x")],
            "sparse" => [],
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };
        var tar = @case == "sparse"
            ? TarTestData.WithTypeFlag(await TarTestData.WriteTarAsync([TarTestData.File("s", 10)], Ct), 0, 'S')
            : TarTestData.BclTar(TarEntryFormat.Pax, entries);
        var result = await CopyAsync(tar, EntryRewrites.None);
        Assert.False(result.IsEligible);
        Assert.Contains(reason, result.IneligibleBecause);
    }

    [Fact]
    public async Task Rewrites_that_would_change_an_entry_make_it_ineligible()
    {
        var tar = await TarTestData.WriteTarAsync(RootfsEntries(), Ct);
        Assert.Contains("epoch", (await CopyAsync(tar, new EntryRewrites { Epoch = TarTestData.Time.AddSeconds(-1) })).IneligibleBecause);
        Assert.True((await CopyAsync(tar, new EntryRewrites { Epoch = TarTestData.Time })).IsEligible);
        Assert.Contains("--chown", (await CopyAsync(tar, new EntryRewrites { Chown = new Ownership(0, 0) })).IneligibleBecause);
        Assert.Contains("--chmod", (await CopyAsync(tar, new EntryRewrites { Chmod = ModeChange.Parse("755") })).IneligibleBecause);
    }

    [Fact]
    public async Task Other_compressions_and_trailing_garbage_are_not_eligible()
    {
        var tar = await TarTestData.WriteTarAsync(RootfsEntries(), Ct);
        Assert.False((await CopyAsync(CompressedSamples.Compress(tar, ArchiveCompression.Zstd), EntryRewrites.None)).IsEligible);
        byte[] garbage = [.. CompressedSamples.Gzip(tar), .. "garbage"u8];
        Assert.False((await CopyAsync(garbage, EntryRewrites.None)).IsEligible);
    }

    private static Task<PassthroughResult> CopyAsync(byte[] archive, EntryRewrites rewrites)
    {
        if (ArchiveDetector.DetectCompression(archive) == ArchiveCompression.None && archive.Length > 0 && archive[0] != 0x28) archive = CompressedSamples.Gzip(archive);
        return LayerPassthrough.CopyAsync(new MemoryStream(archive), new MemoryStream(), rewrites, LayerCompressionSettings.Gzip(), Ct);
    }
}
