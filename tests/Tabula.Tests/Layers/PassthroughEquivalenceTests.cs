using Tabula.Layers;

namespace Tabula.Tests.Layers;

/// <summary>DESIGN §5: the fast path must give the same filesystem as the normal path, entry by entry.</summary>
public class PassthroughEquivalenceTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    public static TheoryData<bool> Compressed => [true, false];

    [Theory]
    [MemberData(nameof(Compressed))]
    public async Task Fast_and_normal_paths_give_the_same_filesystem(bool gzip)
    {
        var entries = LayerPassthroughTests.RootfsEntries();
        entries.Add(TarTestData.File("etc/shadow", 30, mode: 0b110_100_000) with { Gid = 42 });
        entries.Add(TarTestData.Dir("etc/x") with { Xattrs = LayerXattrs.From([new("user.k", [1, 2, 0, 3])]) });
        entries.Add(TarTestData.Hardlink("etc/x/passwd--", "etc/passwd-")); // a link to a link: the same inode
        var tar = await TarTestData.WriteTarAsync(entries, Ct);
        byte[] archive = gzip ? CompressedSamples.Gzip(tar) : tar;

        // Fast path: the archive's bytes (or the tar compressed as it streams) are the blob.
        var fastBlob = new MemoryStream();
        var fast = await LayerPassthrough.CopyAsync(new MemoryStream(archive), fastBlob, EntryRewrites.None, LayerCompressionSettings.Gzip(), Ct);
        Assert.True(fast.IsEligible, fast.IneligibleBecause);

        // Normal path: extract into a tree over an empty base, emit the layer through a LayerWriter.
        var tree = FileTree.Over(new FileTree());
        await using (var spool = SpoolFile.Create())
        {
            await ArchiveExtractor.ExtractAsync(tree, new MemoryStream(archive), "/", new ExtractOptions { ImpliedDirectories = TreeTestSupport.Implied }, spool, Ct);
            var normalBlob = new MemoryStream();
            var normal = await LayerEmitter.WriteCompressedLayerAsync(tree, normalBlob, LayerCompressionSettings.Gzip(), Ct);

            var fastRows = await RowsOfBlobAsync(fastBlob.ToArray());
            var normalRows = await RowsOfBlobAsync(normalBlob.ToArray());
            Assert.Equal(entries.Count, fastRows.Count);
            Assert.Equal(fastRows, normalRows);
            Assert.Equal(tar.Length, fast.Layer!.UncompressedSize);
            Assert.Equal(Tabula.Oci.Digest.Compute(normalBlob.ToArray()), normal.Digest);
        }
    }

    private static async Task<List<TreeTestSupport.FileRow>> RowsOfBlobAsync(byte[] gzipBlob)
    {
        await using var gunzip = ArchiveStreams.OpenDecompressing(new MemoryStream(gzipBlob), ArchiveCompression.Gzip, leaveOpen: false);
        var tar = new MemoryStream();
        await gunzip.CopyToAsync(tar, Ct);
        var tree = await TreeTestSupport.ApplyLayersAsync(Ct, tar.ToArray());
        return await TreeTestSupport.RowsAsync(tree, Ct);
    }
}
