using System.Collections.Immutable;
using System.Diagnostics;
using System.Formats.Tar;
using System.Text;
using Tabula.Layers;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Layers;

public class TarEntryWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<LayerEntry> SampleEntries() =>
    [
        TarTestData.Dir("etc"),
        TarTestData.File("etc/hosts", 1000),
        TarTestData.File("etc/empty"),
        TarTestData.File("usr/bin/sudo", 3, mode: LayerModes.SetUid | 0b111_101_101),
        TarTestData.Dir("tmp", mode: LayerModes.Sticky | 0b111_111_111),
        TarTestData.Symlink("bin", "usr/bin"),
        TarTestData.Hardlink("etc/hosts2", "etc/hosts"),
        new LayerEntry { Path = "dev/null", Type = LayerEntryType.CharacterDevice, Mode = 0b110_110_110, DevMajor = 1, DevMinor = 3, ModTime = TarTestData.Time },
        new LayerEntry { Path = "dev/sda", Type = LayerEntryType.BlockDevice, Mode = 0b110_110_000, DevMajor = 8, DevMinor = 0, ModTime = TarTestData.Time },
        new LayerEntry { Path = "run/fifo", Type = LayerEntryType.Fifo, Mode = 0b110_100_100, ModTime = TarTestData.Time },
        TarTestData.File("owned", 1) with { Uid = 1000, Gid = 100 },
    ];

    [Fact]
    public async Task Round_trips_through_the_BCL_reader()
    {
        var entries = SampleEntries();
        var tar = await TarTestData.WriteTarAsync(entries, Ct);

        var read = await ReadAllAsync(tar);
        Assert.Equal(entries.Count, read.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            var (expected, (actual, content)) = (entries[i], read[i]);
            Assert.Equal(expected, actual);
            if (expected.Type == LayerEntryType.RegularFile) Assert.Equal(TarTestData.ContentFor(expected), content);
        }
    }

    [Fact]
    public async Task Writes_ustar_headers_as_go_does()
    {
        var tar = await TarTestData.WriteTarAsync([TarTestData.Dir("etc"), TarTestData.File("etc/hosts", 5)], Ct);

        Assert.Equal(512 + 512 + 512 + 1024, tar.Length);
        var dir = tar.AsSpan(0, 512);
        Assert.Equal("etc/\0", Ascii(dir[..5]));
        Assert.Equal("0000755\0", Ascii(dir.Slice(100, 8)));
        Assert.Equal("0000000\0", Ascii(dir.Slice(108, 8)));
        Assert.Equal("00000000000\0", Ascii(dir.Slice(124, 12)));
        Assert.Equal(Convert.ToString(TarTestData.Time.ToUnixTimeSeconds(), 8) + "\0", Ascii(dir.Slice(136, 12)));
        Assert.Equal((byte)'5', dir[156]);
        Assert.Equal("ustar\000", Ascii(dir.Slice(257, 8)));
        Assert.True(dir.Slice(265, 64).ToArray().All(b => b == 0), "uname and gname are empty");
        Assert.Equal("0000000\0", Ascii(dir.Slice(329, 8)));
        Assert.Equal(" ", Ascii(dir.Slice(155, 1)));
        Assert.Equal(0, dir[154]);
        int sum = 0;
        for (int i = 0; i < 512; i++) sum += i is >= 148 and < 156 ? ' ' : dir[i];
        Assert.Equal(Convert.ToString(sum, 8).PadLeft(6, '0'), Ascii(dir.Slice(148, 6)));

        var file = tar.AsSpan(512, 512);
        Assert.Equal((byte)'0', file[156]);
        Assert.Equal("00000000005\0", Ascii(file.Slice(124, 12)));
        Assert.True(tar.AsSpan(1024 + 5, 507 + 1024).ToArray().All(b => b == 0), "padding and end marker are zeros");
    }

    [Fact]
    public async Task Is_byte_for_byte_deterministic()
    {
        var first = await TarTestData.WriteTarAsync(SampleEntries(), Ct);
        var second = await TarTestData.WriteTarAsync(SampleEntries(), Ct);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Splits_long_ascii_names_into_the_ustar_prefix_without_pax()
    {
        string path = string.Join('/', Enumerable.Repeat("directory", 14)) + "/file";
        var tar = await TarTestData.WriteTarAsync([TarTestData.File(path, 2)], Ct);

        Assert.Equal((byte)'0', tar[156]);
        var read = await ReadAllAsync(tar);
        Assert.Equal(path, read.Single().Entry.Path);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Uses_a_pax_header_for_names_ustar_cannot_hold(bool nonAscii)
    {
        string path = nonAscii ? "données/été.txt" : new string('n', 180);
        string target = new string('t', 120);
        var entries = new[] { TarTestData.File(path, 3), TarTestData.Symlink("link", target) };
        var tar = await TarTestData.WriteTarAsync(entries, Ct);

        Assert.Equal((byte)'x', tar[156]);
        Assert.Contains($" path={path}\n", Encoding.UTF8.GetString(tar));
        Assert.Contains($" linkpath={target}\n", Encoding.UTF8.GetString(tar));
        var read = await ReadAllAsync(tar);
        Assert.Equal(entries, read.Select(r => r.Entry));
    }

    [Fact]
    public async Task Uses_pax_for_big_ids_old_times_and_xattrs()
    {
        var entry = TarTestData.File("big", 1) with
        {
            Uid = 3_000_000,
            Gid = 70_000_000,
            ModTime = new DateTimeOffset(1960, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Xattrs = LayerXattrs.From([new("user.comment", "hé"u8.ToArray())]),
        };
        var binary = entry with { Xattrs = LayerXattrs.From([new("security.capability", [1, 0, 0, 2, 0xff, 0])]) };
        var tar = await TarTestData.WriteTarAsync([entry], Ct);

        // The BCL reader decodes PAX values as UTF-8, so binary values are checked in the raw bytes.
        var binaryTar = await TarTestData.WriteTarAsync([binary], Ct);
        byte[] record = [.. "SCHILY.xattr.security.capability="u8, 1, 0, 0, 2, 0xff, 0, (byte)10];
        Assert.True(binaryTar.AsSpan().IndexOf(record) > 0);

        string text = Encoding.Latin1.GetString(tar);
        Assert.Equal("PaxHeaders.0/big", Encoding.ASCII.GetString(tar, 0, 16));
        Assert.True(text.IndexOf("gid=", StringComparison.Ordinal) < text.IndexOf("mtime=", StringComparison.Ordinal));
        Assert.Contains("uid=3000000\n", text);
        var read = await ReadAllAsync(tar);
        Assert.Equal(entry, read.Single().Entry);
    }

    [Fact]
    public async Task Can_write_sizes_beyond_8_GiB_in_base_256_so_the_header_stays_one_block()
    {
        // Archives fill in a header after streaming content of unknown length: its length must not depend on the size.
        var entry = TarTestData.File("huge") with { Size = 10L << 30 };
        var header = new System.Buffers.ArrayBufferWriter<byte>();
        TarHeaderEncoder.Encode(entry, header, base256Size: true);

        Assert.Equal(512, header.WrittenCount);
        Assert.True(ArchiveDetector.IsTarHeader(header.WrittenSpan));
        Assert.Equal(0x80, header.WrittenSpan[124]);
        var read = await new TarArchiveReader(new MemoryStream(header.WrittenSpan.ToArray())).NextAsync(Ct);
        Assert.Equal(10L << 30, read!.Size);
    }

    [Fact]
    public async Task Pax_record_lengths_count_their_own_digits()
    {
        // A value whose record is 99 bytes before its length prefix and 100 after.
        var entry = TarTestData.File("x", 0) with { Xattrs = LayerXattrs.From([new("user.k", new byte[99 - 3 - 2 - 19])]) };
        var tar = await TarTestData.WriteTarAsync([entry], Ct);
        string data = Encoding.Latin1.GetString(tar, 512, 512);
        int space = data.IndexOf(' ');
        int length = int.Parse(data[..space]);
        Assert.Equal('\n', data[length - 1]);
    }

    [Fact]
    public async Task A_short_content_source_is_an_error()
    {
        var writer = new TarEntryWriter(new MemoryStream());
        await Assert.ThrowsAsync<LayerFormatException>(() => writer.WriteEntryAsync(TarTestData.File("f", 10), new MemoryStream(new byte[4]), Ct));
    }

    [Fact]
    public async Task Gnu_tar_lists_what_we_write()
    {
        var gnuTar = Requirements.Tool("tar");
        var tar = await TarTestData.WriteTarAsync(SampleEntries().Append(TarTestData.File(new string('q', 150), 1)), Ct);
        string path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, tar, Ct);
            var start = new ProcessStartInfo(gnuTar, ["--numeric-owner", "-tvf", path]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            string output = await process.StandardOutput.ReadToEndAsync(Ct);
            string errors = await process.StandardError.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct);
            Assert.True(process.ExitCode == 0, errors);
            Assert.Contains("-rwsr-xr-x 0/0", output);
            Assert.Contains("drwxrwxrwt 0/0", output);
            Assert.Contains("bin -> usr/bin", output);
            Assert.Contains("etc/hosts2 link to etc/hosts", output);
            Assert.Matches(@"crw-rw-rw- 0/0 +1,3 .* dev/null", output);
            Assert.Contains(new string('q', 150), output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Ascii(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes);

    /// <summary>Reads a tar with the BCL reader back into entries (for the round trip).</summary>
    internal static async Task<List<(LayerEntry Entry, byte[] Content)>> ReadAllAsync(byte[] tar)
    {
        var result = new List<(LayerEntry, byte[])>();
        await using var reader = new TarReader(new MemoryStream(tar));
        while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
        {
            var content = new MemoryStream();
            if (entry.DataStream is not null) await entry.DataStream.CopyToAsync(content);
            var xattrs = entry is PaxTarEntry pax
                ? LayerXattrs.From(pax.ExtendedAttributes.Where(a => a.Key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal))
                    .Select(a => new KeyValuePair<string, byte[]>(a.Key["SCHILY.xattr.".Length..], Encoding.UTF8.GetBytes(a.Value))))
                : LayerXattrs.Empty;
            var type = entry.EntryType switch
            {
                TarEntryType.RegularFile or TarEntryType.V7RegularFile => LayerEntryType.RegularFile,
                TarEntryType.Directory => LayerEntryType.Directory,
                TarEntryType.SymbolicLink => LayerEntryType.Symlink,
                TarEntryType.HardLink => LayerEntryType.Hardlink,
                TarEntryType.CharacterDevice => LayerEntryType.CharacterDevice,
                TarEntryType.BlockDevice => LayerEntryType.BlockDevice,
                TarEntryType.Fifo => LayerEntryType.Fifo,
                var other => throw new InvalidOperationException(other.ToString()),
            };
            var posix = entry as PosixTarEntry;
            result.Add((new LayerEntry
            {
                Path = entry.Name.TrimEnd('/'),
                Type = type,
                Mode = (int)entry.Mode,
                Uid = entry.Uid,
                Gid = entry.Gid,
                ModTime = entry.ModificationTime,
                LinkTarget = entry.LinkName,
                Size = entry.Length,
                DevMajor = posix?.DeviceMajor ?? 0,
                DevMinor = posix?.DeviceMinor ?? 0,
                Xattrs = xattrs,
            }, content.ToArray()));
        }
        return result;
    }
}
