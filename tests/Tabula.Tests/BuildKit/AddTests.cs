using System.Formats.Tar;
using Tabula.Dockerfile;
using Tabula.Tests.Build;

namespace Tabula.Tests.BuildKit;

/// <summary>BuildKit's frontend/dockerfile/dockerfile_add_test.go (local archives; files read from the image).</summary>
public class AddTests
{
    private static byte[] Tar(params (string Name, TarEntryType Type, string Content, string Link)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, type, content, link) in entries)
            {
                var entry = new PaxTarEntry(type, name)
                {
                    Mode = type == TarEntryType.Directory ? (UnixFileMode)0b111_101_101 : type == TarEntryType.SymbolicLink ? (UnixFileMode)0b111_111_111 : (UnixFileMode)0b110_100_100,
                };
                if (link.Length > 0) entry.LinkName = link;
                if (type == TarEntryType.RegularFile) entry.DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content));
                writer.WriteEntry(entry);
            }
        }
        return buffer.ToArray();
    }

    private static (string, TarEntryType, string, string) File(string name, string content) => (name, TarEntryType.RegularFile, content, "");
    private static (string, TarEntryType, string, string) Dir(string name) => (name, TarEntryType.Directory, "", "");

    [Fact]
    public async Task TestDockerfileAddArchiveWithImpliedParentDir()
    {
        using var h = new BuildHarness();
        h.Bytes("t.tar.gz", Gzip(Tar(Dir("etc/dnf/"), File("etc/dnf/dnf.conf", "content0"))));
        var image = await MergedImage.BuildAsync(h, "FROM scratch\nADD t.tar.gz /\n");
        Assert.Equal("content0", image.Text("etc/dnf/dnf.conf"));
    }

    [Fact]
    public async Task TestDockerfileAddArchiveThroughAbsoluteSymlink()
    {
        using var h = new BuildHarness();
        h.Bytes("rootfs.tar", Tar(Dir("run/"), Dir("var/"), ("var/run", TarEntryType.SymbolicLink, "", "/run")));
        h.Bytes("payload.tar", Tar(Dir("var/run/act/"), Dir("var/run/act/actions/"), Dir("var/run/act/actions/broad/"), Dir("var/run/act/actions/broad/.git/"),
            File("var/run/act/actions/broad/.git/HEAD", "ref: refs/heads/main\n"),
            ("var/run/act/actions/broad/.git/HEAD.link", TarEntryType.HardLink, "", "var/run/act/actions/broad/.git/HEAD")));
        var image = await MergedImage.BuildAsync(h, "FROM scratch\nADD rootfs.tar /\nADD payload.tar /\n");
        Assert.Equal("ref: refs/heads/main\n", image.Text("run/act/actions/broad/.git/HEAD"));
        var link = image.Entry("run/act/actions/broad/.git/HEAD.link");
        Assert.Equal((TarEntryType.HardLink, "run/act/actions/broad/.git/HEAD"), (link.Type, link.LinkName));
        Assert.Equal(TarEntryType.SymbolicLink, image.Entry("var/run").Type);
    }

    [Fact]
    public async Task TestDockerfileAddChownArchive()
    {
        using var h = new BuildHarness();
        h.Bytes("t.tar", Tar(File("foo", "content0")));
        var image = await MergedImage.BuildAsync(h, "FROM scratch\nADD --chown=100:200 t.tar /out/\n");
        Assert.Equal("content0", image.Text("out/foo"));
        Assert.Equal((100, 200), (image.Entry("out/foo").Uid, image.Entry("out/foo").Gid));
        Assert.Equal((100, 200), (image.Entry("out").Uid, image.Entry("out").Gid));
    }

    [Fact(Skip = "failing (tests/buildkit-parity.md): several matches onto a destination without a trailing / are refused, as docker's legacy builder refuses them; BuildKit unpacks each archive into /dest")]
    public async Task TestDockerfileAddArchiveWildcard()
    {
        using var h = new BuildHarness();
        h.Bytes("t.tar", Tar(File("foo", "content0")));
        h.Bytes("b.tar", Tar(File("bar", "content1")));
        var image = await MergedImage.BuildAsync(h, "FROM scratch\nADD *.tar /dest\n");
        Assert.Equal("content0", image.Text("dest/foo"));
        Assert.Equal("content1", image.Text("dest/bar"));
    }

    /// <summary>busybox's nobody group is given by an /etc/group copied in first; stat by the layer's owner.</summary>
    [Fact]
    public async Task TestDockerfileAddChownExpand()
    {
        using var h = new BuildHarness();
        h.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n");
        h.File("etc/group", "root:x:0:\nnobody:x:65534:\n");
        h.File("foo", "foo-contents", "600");
        var options = h.Options("FROM scratch\nCOPY etc /etc\nARG group\nENV owner 1000\nADD --chown=${owner}:${group} foo /\n")
            with { BuildArgs = new Dictionary<string, string> { ["group"] = "nobody" } };
        await h.BuildAsync(options);
        var image = await MergedImage.ReadAsync(await h.LoadAsync("test:latest"));
        Assert.Equal((1000, 65534), (image.Entry("foo").Uid, image.Entry("foo").Gid));
    }

    [Theory]
    [InlineData("64a")]
    [InlineData("10000")]
    public async Task TestAddInvalidChmod(string mode)
    {
        using var h = new BuildHarness();
        h.File("foo", "foo-contents", "600");
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync($"FROM scratch\nADD --chmod={mode} foo /\n"));
        Assert.Contains($"'{mode}'", error.Message);
        Assert.Contains("octal", error.Message);
        Assert.Equal(2, error.Line);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(data);
        return buffer.ToArray();
    }
}
