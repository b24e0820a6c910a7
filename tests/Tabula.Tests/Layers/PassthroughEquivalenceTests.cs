using Tabula.Layers;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Layers;

/// <summary>DESIGN §5: the fast path must give the same filesystem as the normal path, entry by entry.</summary>
public class PassthroughEquivalenceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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
        var rows = await AssertEquivalentAsync(gzip ? CompressedSamples.Gzip(tar) : tar);
        Assert.Equal(entries.Count, rows);
    }

    [Fact]
    public async Task A_gnu_tar_archive_is_eligible_and_equivalent()
    {
        var gnuTar = Requirements.Tool("tar");
        string root = Directory.CreateTempSubdirectory("tabula-gnutar-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "usr/bin"));
            Directory.CreateDirectory(Path.Combine(root, "etc"));
            await File.WriteAllTextAsync(Path.Combine(root, "usr/bin/busybox"), "#!busybox\n", Ct);
            File.SetUnixFileMode(Path.Combine(root, "usr/bin/busybox"), (UnixFileMode)0b111_101_101);
            File.CreateSymbolicLink(Path.Combine(root, "usr/bin/sh"), "busybox");
            await File.WriteAllTextAsync(Path.Combine(root, "etc/hostname"), "tabula\n", Ct);
            await File.WriteAllTextAsync(Path.Combine(root, "etc/" + new string('l', 120)), "long name\n", Ct);
            string archive = Path.Combine(root, "rootfs.tgz");
            var start = new System.Diagnostics.ProcessStartInfo(gnuTar, ["--numeric-owner", "--hard-dereference", "-C", root, "-czf", archive, "etc", "usr"]) { RedirectStandardError = true };
            using (var process = System.Diagnostics.Process.Start(start)!)
            {
                string errors = await process.StandardError.ReadToEndAsync(Ct);
                await process.WaitForExitAsync(Ct);
                Assert.True(process.ExitCode == 0, errors);
            }
            Assert.Equal(7, await AssertEquivalentAsync(await File.ReadAllBytesAsync(archive, Ct)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Builds the layer both ways and compares the filesystems they extract to; returns the number of entries.</summary>
    private static async Task<int> AssertEquivalentAsync(byte[] archive)
    {

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
            Assert.Equal(fastRows, normalRows);
            Assert.Equal(Tabula.Oci.Digest.Compute(normalBlob.ToArray()), normal.Digest);
            return fastRows.Count;
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
