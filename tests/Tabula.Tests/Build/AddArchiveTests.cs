using System.Formats.Tar;
using Tabula.Dockerfile;
using Tabula.Layers;
using Tabula.Tests.Integration.Support;
using Tabula.Tests.Layers;

namespace Tabula.Tests.Build;

/// <summary>DESIGN §5: ADD extracts local tar archives (detected by content), COPY never does.</summary>
public class AddArchiveTests
{
    private static byte[] SampleTar() => TarTestData.BclTar(TarEntryFormat.Pax,
        ("app", TarEntryType.Directory, null),
        ("app/hello.txt", TarEntryType.RegularFile, "hello\n"),
        ("app/link", TarEntryType.SymbolicLink, "hello.txt"));

    public static TheoryData<ArchiveCompression> Compressions =>
        [ArchiveCompression.None, ArchiveCompression.Gzip, ArchiveCompression.Bzip2, ArchiveCompression.Xz, ArchiveCompression.Zstd];

    [Theory]
    [MemberData(nameof(Compressions))]
    public async Task Add_extracts_every_compression_whatever_the_name(ArchiveCompression compression)
    {
        using var h = new BuildHarness();
        h.Bytes("archive.bin", CompressedSamples.Compress(SampleTar(), compression));
        var image = await h.BuildImageAsync("FROM scratch\nADD archive.bin /opt/\n");
        var rows = await LayerContents.ReadAsync(image.Layers[0]);
        Assert.Equal(["opt", "opt/app", "opt/app/hello.txt", "opt/app/link"], LayerContents.Paths(rows));
        Assert.Equal("hello\n", LayerContents.Single(rows, "opt/app/hello.txt").Text);
        Assert.Equal("hello.txt", LayerContents.Single(rows, "opt/app/link").LinkName);
        // Archive times later than the build epoch are clamped to it.
        Assert.Equal(BuildHarness.Epoch.ToUnixTimeSeconds(), LayerContents.Single(rows, "opt/app/hello.txt").MTime);
    }

    /// <summary>
    /// An archive may give a symlink any mode, but extracted it is 0777 as every Linux symlink is, which is what
    /// docker's layer (and BuildKit's, read back from disk) records; the fast path then cannot keep the archive.
    /// </summary>
    [Theory]
    [InlineData("/")]
    [InlineData("/opt/")]
    public async Task A_symlink_from_an_archive_is_0777_whatever_mode_the_archive_gave_it(string destination)
    {
        using var h = new BuildHarness();
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "data") { Mode = (UnixFileMode)0b110_100_100, ModificationTime = BuildHarness.Epoch, DataStream = new MemoryStream("d"u8.ToArray()) });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "link") { Mode = (UnixFileMode)0b110_100_100, ModificationTime = BuildHarness.Epoch, LinkName = "data" });
        }
        h.Bytes("a.tar.gz", CompressedSamples.Compress(buffer.ToArray(), ArchiveCompression.Gzip));
        var image = await h.BuildImageAsync($"FROM scratch\nADD a.tar.gz {destination}\n");
        var link = LayerContents.Single(await LayerContents.ReadAsync(image.Layers[0]), destination.Trim('/').Length == 0 ? "link" : "opt/link");
        Assert.Equal((TarEntryType.SymbolicLink, 0b111_111_111), (link.Type, link.Mode));
    }

    [Fact]
    public async Task A_tar_gz_name_holding_plain_text_is_copied_as_a_file()
    {
        using var h = new BuildHarness();
        h.File("fake.tar.gz", "just text, not an archive\n");
        var rows = await LayerContents.ReadAsync((await h.BuildImageAsync("FROM scratch\nADD fake.tar.gz /\n")).Layers[0]);
        Assert.Equal("just text, not an archive\n", LayerContents.Single(rows, "fake.tar.gz").Text);
    }

    [Fact]
    public async Task Copy_never_extracts()
    {
        using var h = new BuildHarness();
        h.Bytes("a.tar", SampleTar());
        var rows = await LayerContents.ReadAsync((await h.BuildImageAsync("FROM scratch\nCOPY a.tar /\n")).Layers[0]);
        Assert.Equal(["a.tar"], LayerContents.Paths(rows));
    }

    [Fact]
    public async Task An_archive_cannot_write_outside_the_image_through_a_planted_symlink()
    {
        using var h = new BuildHarness();
        h.Bytes("evil.tar", TarTestData.BclTar(TarEntryFormat.Pax,
            ("evil", TarEntryType.SymbolicLink, "/"),
            ("evil/etc/x", TarEntryType.RegularFile, "planted"),
            ("up", TarEntryType.SymbolicLink, "../../../.."),
            ("up/y", TarEntryType.RegularFile, "up")));
        var image = await h.BuildImageAsync("FROM scratch\nADD evil.tar /dst/\nADD evil.tar /\n");
        var rows = await LayerContents.ReadAsync(image.Layers[0]);
        // Extraction is chrooted at its destination, as BuildKit's (containerd's) unpack is: the planted links
        // lead to /dst itself, never above it.
        Assert.Equal(["dst", "dst/etc", "dst/etc/x", "dst/evil", "dst/up", "dst/y"], LayerContents.Paths(rows));
        Assert.Equal("planted", LayerContents.Single(rows, "dst/etc/x").Text);
        Assert.Equal("/", LayerContents.Single(rows, "dst/evil").LinkName);
        // At the root the same archive writes /etc/x of the image.
        rows = await LayerContents.ReadAsync(image.Layers[1]);
        Assert.Equal("planted", LayerContents.Single(rows, "etc/x").Text);
        Assert.Equal("up", LayerContents.Single(rows, "y").Text);
    }

    [Fact]
    public async Task Add_of_a_url_the_server_refuses_fails_with_a_located_error_and_stores_nothing()
    {
        using var server = new HttpTestServer(new Dictionary<string, HttpTestServer.Response>());
        using var h = new BuildHarness();
        var before = h.IndexBytes();
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync($"FROM scratch\n\nADD {server.Url}/a.tgz /\n"));
        Assert.StartsWith("Dockerfile:3", error.Message);
        Assert.Contains($"{server.Url}/a.tgz", error.Message);
        Assert.Contains("404", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        // Asked once: the step's cache key met the failure first, and the step reports it rather than asking again.
        Assert.Single(server.Requests);
        Assert.Equal(before, h.IndexBytes());
    }

    [Theory]
    [InlineData("git@github.com:moby/buildkit.git")]
    [InlineData("https://github.com/moby/buildkit.git#v0.20.0")]
    public async Task Add_of_a_git_repository_is_refused_in_one_line(string source)
    {
        using var h = new BuildHarness();
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync($"FROM scratch\nADD {source} /src/\n"));
        Assert.StartsWith("Dockerfile:2", error.Message);
        Assert.Contains("git sources are not supported", error.Message);
    }

    [Fact]
    public async Task Add_with_chown_and_chmod_rewrites_extracted_entries()
    {
        using var h = new BuildHarness();
        h.Bytes("a.tgz", CompressedSamples.Gzip(SampleTar()));
        var rows = await LayerContents.ReadAsync((await h.BuildImageAsync("FROM scratch\nADD --chown=5:6 --chmod=700 a.tgz /\n")).Layers[0]);
        var file = LayerContents.Single(rows, "app/hello.txt");
        Assert.Equal((5, 6, 0b111_000_000), (file.Uid, file.Gid, file.Mode));
    }
}
