using System.Formats.Tar;
using Tabula.Dockerfile;
using Tabula.Tests.Build;
using Tabula.Tests.Integration.Support;

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

    [Fact]
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

    private static readonly byte[] Content1 = "content1"u8.ToArray();

    private static async Task<Tabula.Images.IImage> BuildUrlAsync(BuildHarness h, string dockerfile, string tag = "addurl:latest")
    {
        await h.BuildAsync(h.Options(dockerfile, tag) with { Timestamp = null });
        return await h.LoadAsync(tag);
    }

    [Fact]
    public async Task TestDockerfileADDFromURL()
    {
        var modTime = DateTimeOffset.UtcNow.AddHours(-24); // not the build time, so a mtime of "now" cannot pass
        using var server = new HttpTestServer(new Dictionary<string, HttpTestServer.Response>
        {
            ["/foo"] = new(Content1, ETag: Guid.NewGuid().ToString("N")),
            ["/"] = new("content2"u8.ToArray(), modTime, Guid.NewGuid().ToString("N")),
        });
        using var h = new BuildHarness();
        var image = await BuildUrlAsync(h, $"FROM scratch\nADD {server.Url}/foo /dest/\n");
        Assert.Equal("content1", await BuildKitHarness.FileTextAsync(image, "dest/foo"));

        // Run again: BuildKit revalidates with a HEAD request; tabula downloads again (its cache key is the content).
        await BuildUrlAsync(h, $"FROM scratch\nADD {server.Url}/foo /dest/\n");
        var requests = server.RequestsFor("/foo");
        Assert.Equal(2, requests.Count);
        Assert.Equal("GET", requests[0].Method);
        Assert.Contains("tabula", requests[0].Headers["User-Agent"], StringComparison.Ordinal);

        // The default properties: no name in the path is __unnamed__, mode 0600, root, mtime from Last-Modified.
        image = await BuildUrlAsync(h, $"FROM scratch\nADD {server.Url}/ /dest/\n");
        var row = LayerContents.Single(await LayerContents.ReadAllAsync(image), "dest/__unnamed__");
        Assert.Equal("content2", row.Text);
        Assert.Equal(0b110_000_000, row.Mode);
        Assert.Equal((0, 0), (row.Uid, row.Gid));
        Assert.Equal(modTime.ToUnixTimeSeconds(), row.MTime);
    }

    [Fact]
    public async Task TestAddURLChmod()
    {
        BuildKitHarness.RequireRun();
        using var server = new HttpTestServer(new Dictionary<string, HttpTestServer.Response> { ["/foo"] = new(Content1, ETag: "x") });
        using var h = new BuildHarness();
        await h.AddBusyboxAsync();
        var url = server.Url + "/foo";
        await h.BuildAsync(h.Options($$"""
            FROM busybox AS build
            ADD --chmod=644 {{url}} /tmp/foo1
            ADD --chmod=755 {{url}} /tmp/foo2
            ADD --chmod=0413 {{url}} /tmp/foo3
            ARG mode
            ADD --chmod=${mode} {{url}} /tmp/foo4
            RUN stat -c "%04a" /tmp/foo1 >> /dest && \
            	stat -c "%04a" /tmp/foo2 >> /dest && \
            	stat -c "%04a" /tmp/foo3 >> /dest && \
            	stat -c "%04a" /tmp/foo4 >> /dest
            FROM scratch
            COPY --from=build /dest /dest
            """, "addurlchmod:latest") with { BuildArgs = new Dictionary<string, string> { ["mode"] = "400" } });
        Assert.Equal("0644\n0755\n0413\n0400\n", await BuildKitHarness.FileTextAsync(await h.LoadAsync("addurlchmod:latest"), "dest"));
    }

    [Fact]
    public async Task TestAddChecksum()
    {
        using var server = new HttpTestServer(new Dictionary<string, HttpTestServer.Response> { ["/foo"] = new(Content1, ETag: "x") });
        using var h = new BuildHarness();
        var url = server.Url + "/foo";
        var good = Tabula.Oci.Digest.Compute(Content1).ToString();

        // Valid
        var image = await BuildUrlAsync(h, $"FROM scratch\nADD --checksum={good} {url} /tmp/foo\n");
        Assert.Equal("content1", await BuildKitHarness.FileTextAsync(image, "tmp/foo"));
        // DigestFromEnv
        image = await BuildUrlAsync(h, $"FROM scratch\nENV DIGEST={good}\nENV LINK={url}\nADD --checksum=${{DIGEST}} ${{LINK}} /tmp/foo\n");
        Assert.Equal("content1", await BuildKitHarness.FileTextAsync(image, "tmp/foo"));

        async Task<string> FailsAsync(string dockerfile)
        {
            var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync(h.Options(dockerfile, "addchecksum-fail:latest")));
            Assert.Contains("Dockerfile:", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error.Message);
            return error.Message;
        }

        // DigestMismatch
        Assert.Contains("digest mismatch", await FailsAsync($"FROM scratch\nADD --checksum={Tabula.Oci.Digest.Compute([])} {url} /tmp/foo\n"), StringComparison.Ordinal);
        // DigestWithKnownButUnsupportedAlgoName
        Assert.Contains("unsupported digest algorithm", await FailsAsync($"FROM scratch\nADD --checksum=md5:7e55db001d319a94b0b713529a756623 {url} /tmp/foo\n"), StringComparison.Ordinal);
        // DigestWithUnknownAlgoName
        Assert.Contains("unsupported digest algorithm", await FailsAsync($"FROM scratch\nADD --checksum=unknown:{good[7..]} {url} /tmp/foo\n"), StringComparison.Ordinal);
        // DigestWithoutAlgoName
        Assert.Contains("invalid checksum digest format", await FailsAsync($"FROM scratch\nADD --checksum={good[7..]} {url} /tmp/foo\n"), StringComparison.Ordinal);
        // NonHTTPSource
        h.File("foo", "local file");
        Assert.Contains("checksum requires HTTP(S) or Git sources",
            await FailsAsync($"FROM scratch\nADD --checksum={Tabula.Oci.Digest.Compute("local file"u8)} foo /tmp/foo\n"), StringComparison.Ordinal);
    }

    /// <summary>The bytes of a regular file in the image's layers (the topmost), or null.</summary>
    private static async Task<byte[]?> FileBytesAsync(Tabula.Images.IImage image, string path)
    {
        var ct = TestContext.Current.CancellationToken;
        byte[]? found = null;
        foreach (var layer in image.Layers)
        {
            await using var tar = await layer.OpenUncompressedAsync(ct);
            await using var reader = new TarReader(tar);
            while (await reader.GetNextEntryAsync(copyData: true, ct) is { } entry)
            {
                if (entry.Name.TrimEnd('/') != path || entry.DataStream is not { } data) continue;
                using var bytes = new MemoryStream();
                await data.CopyToAsync(bytes, ct);
                found = bytes.ToArray();
            }
        }
        return found;
    }

    [Fact]
    public async Task TestDockerfileAddArchive()
    {
        var tar = Tar(File("foo", "content0"));
        byte[] gzipped;
        using (var buffer = new MemoryStream())
        {
            using (var gz = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true)) gz.Write(tar);
            gzipped = buffer.ToArray();
        }
        using var server = new HttpTestServer(new Dictionary<string, HttpTestServer.Response> { ["/t.tar.gz"] = new(gzipped, ETag: "x") });

        async Task<(byte[]? Foo, byte[]? At)> FilesAsync(string dockerfile, string at)
        {
            using var h = new BuildHarness();
            h.Bytes("t.tar", tar);
            h.Bytes("t.tar.gz", gzipped);
            var image = await h.BuildImageAsync(dockerfile);
            return (await FileBytesAsync(image, "foo") ?? await FileBytesAsync(image, "dest/foo"), await FileBytesAsync(image, at));
        }

        Assert.Equal("content0"u8.ToArray(), (await FilesAsync("FROM scratch\nADD t.tar /\n", "foo")).Foo);
        Assert.Equal("content0"u8.ToArray(), (await FilesAsync("FROM scratch\nADD t.tar.gz /\n", "foo")).Foo);

        // --unpack=false: the archive as it is.
        var (foo, at) = await FilesAsync("FROM scratch\nADD --unpack=false t.tar.gz /\n", "t.tar.gz");
        Assert.Null(foo);
        Assert.Equal(gzipped, at);

        // COPY doesn't extract.
        (foo, at) = await FilesAsync("FROM scratch\nCOPY t.tar.gz /\n", "t.tar.gz");
        Assert.Null(foo);
        Assert.Equal(gzipped, at);

        // ADD from a URL doesn't extract...
        (foo, at) = await FilesAsync($"FROM scratch\nADD {server.Url}/t.tar.gz /\n", "t.tar.gz");
        Assert.Null(foo);
        Assert.Equal(gzipped, at);
        // ...unless --unpack=true.
        Assert.Equal("content0"u8.ToArray(), (await FilesAsync($"FROM scratch\nADD --unpack=true {server.Url}/t.tar.gz /dest/\n", "dest/foo")).At);
        // moby/buildkit#386: a URL to a file name of its own.
        Assert.Equal(gzipped, (await FilesAsync($"FROM scratch\nADD {server.Url}/t.tar.gz /newname.tar.gz\n", "newname.tar.gz")).At);
    }
}
