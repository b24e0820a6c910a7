using System.Text;
using Tabula.Layers;
using Tabula.Oci;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Layers;

public class ArchiveDetectorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<ArchiveCompression> AllCompressions =>
        [ArchiveCompression.None, ArchiveCompression.Gzip, ArchiveCompression.Bzip2, ArchiveCompression.Xz, ArchiveCompression.Zstd];

    [Theory]
    [MemberData(nameof(AllCompressions))]
    public async Task Detects_the_compression_of_a_tar_and_that_it_is_a_tar(ArchiveCompression compression)
    {
        var tar = await TarTestData.WriteTarAsync([TarTestData.Dir("etc"), TarTestData.File("etc/hosts", 70_000)], Ct);
        var archive = new MemoryStream(CompressedSamples.Compress(tar, compression));
        archive.Position = 0;

        var kind = await ArchiveDetector.DetectAsync(archive, Ct);

        Assert.Equal(new ArchiveKind(compression, IsTar: true), kind);
        Assert.Equal(0, archive.Position);
        await using var content = ArchiveStreams.OpenDecompressing(archive, compression, leaveOpen: true);
        var decompressed = new MemoryStream();
        await content.CopyToAsync(decompressed, Ct);
        Assert.Equal(tar, decompressed.ToArray());
    }

    [Theory]
    [MemberData(nameof(AllCompressions))]
    public async Task Compressed_data_that_is_not_a_tar_is_recognised_as_such(ArchiveCompression compression)
    {
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("just some text, not an archive\n", 100)));
        var kind = await ArchiveDetector.DetectAsync(new MemoryStream(CompressedSamples.Compress(text, compression)), Ct);
        Assert.Equal(new ArchiveKind(compression, IsTar: false), kind);
    }

    [Fact]
    public async Task The_hand_built_xz_sample_is_valid_for_the_xz_tool()
    {
        var xz = Requirements.Tool("xz", "xz-utils");
        var data = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("xz sample line\n", 10_000)));
        string path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, CompressedSamples.Compress(data, ArchiveCompression.Xz), Ct);
            var start = new System.Diagnostics.ProcessStartInfo(xz, ["-dc", path]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = new MemoryStream();
            await process.StandardOutput.BaseStream.CopyToAsync(output, Ct);
            string errors = await process.StandardError.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct);
            Assert.True(process.ExitCode == 0, errors);
            Assert.Equal(data, output.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_empty_or_short_file_and_an_empty_tar_are_not_tars()
    {
        Assert.False((await ArchiveDetector.DetectAsync(new MemoryStream(), Ct)).IsTar);
        Assert.False((await ArchiveDetector.DetectAsync(new MemoryStream(new byte[100]), Ct)).IsTar);
        Assert.False((await ArchiveDetector.DetectAsync(new MemoryStream(new byte[10240]), Ct)).IsTar);
    }

    [Fact]
    public async Task A_corrupt_gzip_is_gzip_but_not_a_tar()
    {
        byte[] corrupt = [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        Assert.Equal(new ArchiveKind(ArchiveCompression.Gzip, false), await ArchiveDetector.DetectAsync(new MemoryStream(corrupt), Ct));
    }

    [Fact]
    public async Task Tars_of_other_writers_are_tars()
    {
        foreach (var format in new[] { System.Formats.Tar.TarEntryFormat.V7, System.Formats.Tar.TarEntryFormat.Gnu, System.Formats.Tar.TarEntryFormat.Pax })
        {
            var tar = TarTestData.BclTar(format, ("a", System.Formats.Tar.TarEntryType.RegularFile, "x"));
            Assert.True((await ArchiveDetector.DetectAsync(new MemoryStream(tar), Ct)).IsTar, format.ToString());
        }
    }

    [Fact]
    public async Task Gzip_output_is_deterministic_with_no_name_and_a_zero_mtime()
    {
        var data = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("layer bytes ", 5000)));
        byte[] first = await CompressAsync(data, LayerCompressionSettings.Gzip());
        byte[] second = await CompressAsync(data, LayerCompressionSettings.Gzip());

        Assert.Equal(first, second);
        Assert.Equal([0x1F, 0x8B, 0x08], first[..3]);
        Assert.Equal(0, first[3]); // FLG: no FNAME, FCOMMENT, FEXTRA
        Assert.Equal([0, 0, 0, 0], first[4..8]); // MTIME
    }

    [Fact]
    public async Task Zstd_output_round_trips()
    {
        var data = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("layer bytes ", 5000)));
        byte[] compressed = await CompressAsync(data, LayerCompressionSettings.Zstd());
        Assert.Equal(ArchiveCompression.Zstd, ArchiveDetector.DetectCompression(compressed));
        await using var decompressing = ArchiveStreams.OpenDecompressing(new MemoryStream(compressed), LayerCompression.Zstd, leaveOpen: false);
        var output = new MemoryStream();
        await decompressing.CopyToAsync(output, Ct);
        Assert.Equal(data, output.ToArray());
    }

    [Fact]
    public void Compression_settings_reject_levels_out_of_range()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerCompressionSettings.Gzip(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerCompressionSettings.Zstd(0));
        Assert.Equal(9, LayerCompressionSettings.From(LayerCompression.Gzip, System.IO.Compression.CompressionLevel.SmallestSize).Level);
    }

    private static async Task<byte[]> CompressAsync(byte[] data, LayerCompressionSettings settings)
    {
        var output = new MemoryStream();
        await using (var compressing = ArchiveStreams.OpenCompressing(output, settings, leaveOpen: true))
            await compressing.WriteAsync(data, Ct);
        return output.ToArray();
    }
}
