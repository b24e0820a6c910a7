using System.Formats.Tar;
using Tabula.Dockerfile;
using Tabula.Tests.Build;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's frontend/dockerfile/dockerfile_copy_test.go. Where BuildKit checks a file with <c>RUN</c> on busybox or
/// through the local exporter, these read the same file from the built image's layers (FROM scratch where the base
/// plays no part).
/// </summary>
public class CopyTests
{
    private const int Mode0755 = 0b111_101_101;

    [Fact]
    public async Task TestDockerfileCopyFromArgs()
    {
        using var h = new BuildHarness();
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync("FROM scratch\nCOPY --from=$FOO . .\n"));
        Assert.Contains("variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround", error.Message);
    }

    /// <summary>BuildKit's context transfer sends a unix socket as a regular file: COPY makes it an empty one, its mode kept.</summary>
    [Fact]
    public async Task TestCopySocket()
    {
        using var h = new BuildHarness();
        // Kept open for the build: closing it removes the socket file.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(h.ContextDirectory, "socket.sock")));
        File.SetUnixFileMode(Path.Combine(h.ContextDirectory, "socket.sock"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var image = await MergedImage.BuildAsync(h, "FROM scratch\nCOPY . /\nCOPY socket.sock /named\n");
        foreach (var path in new[] { "socket.sock", "named" })
        {
            var entry = image.Entry(path);
            Assert.Equal((TarEntryType.RegularFile, 0b110_000_000, ""), (entry.Type, entry.Mode, entry.Text ?? ""));
        }
    }

    [Fact]
    public async Task TestEmptyDestDir()
    {
        using var h = new BuildHarness();
        h.File("testfile", "contents0", "600");
        var image = await MergedImage.BuildAsync(h, "FROM scratch\nENV empty=\"\"\nCOPY testfile $empty\n");
        Assert.Equal("contents0", image.Text("testfile"));
    }

    [Fact]
    public async Task TestPreserveDestDirSlash()
    {
        using var h = new BuildHarness();
        h.File("testfile", "contents0", "600");
        var image = await MergedImage.BuildAsync(h, "FROM scratch\nCOPY testfile /sample/\n");
        Assert.Equal("contents0", image.Text("sample/testfile"));
    }

    [Fact]
    public async Task TestCopyLinkDotDestDir()
    {
        using var h = new BuildHarness();
        h.File("testfile", "contents0", "600");
        var image = await MergedImage.BuildAsync(h, "FROM scratch\nWORKDIR /var/www\nCOPY --link testfile .\n");
        Assert.Equal("contents0", image.Text("var/www/testfile"));
    }

    [Fact]
    public async Task TestCopyLinkEmptyDestDir()
    {
        using var h = new BuildHarness();
        h.File("testfile", "contents0", "600");
        var image = await MergedImage.BuildAsync(h, "FROM scratch\nWORKDIR /var/www\nENV empty=\"\"\nCOPY --link testfile $empty\n");
        Assert.Equal("contents0", image.Text("var/www/testfile"));
    }

    [Fact]
    public async Task TestEmptyWildcard()
    {
        using var h = new BuildHarness();
        h.File("foo", "contents0", "600");
        var image = await MergedImage.BuildAsync(h, "FROM scratch\nCOPY foo nomatch* /\n");
        Assert.Equal("contents0", image.Text("foo"));
    }

    /// <summary>busybox's adduser is replaced by the /etc/passwd and /etc/group it would leave.</summary>
    [Fact]
    public async Task TestCopyChownCreateDest()
    {
        using var h = new BuildHarness();
        h.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\nuser01:x:1001:1001::/home/user01:/bin/sh\n");
        h.File("etc/group", "root:x:0:\nuser:x:1000:\nuser01:x:1001:\n");
        var options = h.Options("FROM scratch\nARG group\nENV owner user01\nCOPY etc /etc\nCOPY --chown=user:user . /dest\nCOPY --chown=${owner}:${group} . /dest01\n")
            with { BuildArgs = new Dictionary<string, string> { ["group"] = "user" } };
        await h.BuildAsync(options);
        var image = await MergedImage.ReadAsync(await h.LoadAsync("test:latest"));
        Assert.Equal((1000, 1000), (image.Entry("dest").Uid, image.Entry("dest").Gid));
        Assert.Equal((1001, 1000), (image.Entry("dest01").Uid, image.Entry("dest01").Gid));
    }

    /// <summary>
    /// COPY --from keeps the owners of what it copies and leaves those of existing target directories alone; with
    /// --chown every copied path gets the new owner, existing ones still keep theirs. The RUN steps check it inside.
    /// </summary>
    [Fact]
    public async Task TestCopyChownExistingDir()
    {
        var ct = TestContext.Current.CancellationToken;
        using var fixture = await Tabula.Tests.Integration.RunFixture.CreateAsync(ct);
        const string dockerfile = """
            FROM busybox AS source
            RUN touch /file && chown 100:200 /file \
             && mkdir -p /dir/subdir \
             && touch /dir/subdir/nestedfile \
             && chown 100:200 /dir \
             && chown 101:201 /dir/subdir \
             && chown 102:202 /dir/subdir/nestedfile

            FROM busybox AS test_base
            RUN mkdir -p /existingdir/existingsubdir \
             && touch /existingdir/existingfile \
             && chown 500:600 /existingdir \
             && chown 501:601 /existingdir/existingsubdir \
             && chown 501:601 /existingdir/existingfile

            FROM test_base AS copy_from
            COPY --from=source /file .
            COPY --from=source /dir /dir
            COPY --from=source /dir/. /existingdir
            RUN e="100:200"; p="/file"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="0:0"; p="/dir"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="101:201"; p="/dir/subdir"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="102:202"; p="/dir/subdir/nestedfile"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="500:600"; p="/existingdir"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="501:601"; p="/existingdir/existingsubdir"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="501:601"; p="/existingdir/existingfile"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="101:201"; p="/existingdir/subdir"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="102:202"; p="/existingdir/subdir/nestedfile"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi

            FROM test_base AS copy_from_chowned
            COPY --from=source --chown=300:400 /file .
            COPY --from=source --chown=300:400 /dir /dir
            COPY --from=source --chown=300:400 /dir/. /existingdir
            RUN e="300:400"; p="/file"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="300:400"; p="/dir"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="300:400"; p="/dir/subdir"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="300:400"; p="/dir/subdir/nestedfile"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="500:600"; p="/existingdir"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="501:601"; p="/existingdir/existingsubdir"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="501:601"; p="/existingdir/existingfile"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="300:400"; p="/existingdir/subdir"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi \
             && e="300:400"; p="/existingdir/subdir/nestedfile"; a=`stat -c "%u:%g" "$p"`; if [ "$a" != "$e" ]; then echo "incorrect ownership on $p. expected $e, got $a"; exit 1; fi
            """;
        var (code, output) = await BusyboxBuild.BuildAsync(fixture, "chowned:1", dockerfile);
        Assert.True(code == 0, output);
        (code, output) = await BusyboxBuild.BuildAsync(fixture, "copied:1", dockerfile, "--target", "copy_from");
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task TestCopyThroughSymlinkContext()
    {
        using var h = new BuildHarness();
        h.Symlink("link", "sub");
        h.File("sub/foo", "contents", "600");
        var image = await MergedImage.BuildAsync(h, "FROM scratch\nCOPY link/foo .\n");
        Assert.Equal("contents", image.Text("foo"));
    }

    /// <summary>BuildKit's build stage makes its symlinks with RUN; here they come from the context, as symlinks.</summary>
    [Fact]
    public async Task TestCopyThroughSymlinkMultiStage()
    {
        using var h = new BuildHarness();
        h.File("tree/out/sub/foo", "data");
        h.Symlink("tree/sub", "/out/sub");
        h.Symlink("tree/sub2", "out/sub");
        var image = await MergedImage.BuildAsync(h, "FROM scratch AS build\nCOPY tree/ /\nFROM scratch\nCOPY --from=build /sub/foo .\nCOPY --from=build /sub2/foo bar\n");
        Assert.Equal(TarEntryType.RegularFile, image.Entry("foo").Type);
        Assert.Equal("data", image.Text("foo"));
        Assert.Equal("data", image.Text("bar"));
    }

    [Fact]
    public async Task TestCopyFollowAllSymlinks()
    {
        using var h = new BuildHarness();
        h.File("bar", "bar-contents", "600");
        h.Files.Directory("foo", "700");
        h.Symlink("foo/sub", "../bar");
        var image = await MergedImage.BuildAsync(h, "FROM scratch\nCOPY foo /\nCOPY foo/sub bar\n");
        Assert.Equal(TarEntryType.RegularFile, image.Entry("bar").Type);
        Assert.Equal("bar-contents", image.Text("bar"));
    }

    [Fact]
    public async Task TestCopySymlinks()
    {
        using var h = new BuildHarness();
        h.File("bar", "bar-contents", "600");
        h.Symlink("foo", "bar");
        h.File("sub/lfile", "lfile-contents", "600");
        h.Symlink("sub/l0", "subfile");
        h.File("sub/subfile", "subfile-contents", "600");
        h.Symlink("sub/l1", "second");
        h.Symlink("sub/second", "baz");
        h.File("sub/baz", "baz-contents", "600");
        var image = await MergedImage.BuildAsync(h, "FROM scratch\nCOPY foo /\nCOPY sub/l* alllinks/\n");
        Assert.Equal("bar-contents", image.Text("foo"));
        Assert.Equal("subfile-contents", image.Text("alllinks/l0"));
        Assert.Equal("lfile-contents", image.Text("alllinks/lfile"));
        Assert.Equal("baz-contents", image.Text("alllinks/l1"));
    }

    /// <summary>busybox's daemon and nobody users are given by an /etc/passwd and /etc/group copied in first.</summary>
    [Fact]
    public async Task TestCopyChown()
    {
        using var h = new BuildHarness();
        h.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n");
        h.File("etc/group", "root:x:0:\ndaemon:x:1:\nnobody:x:65534:\n");
        h.File("foo", "foo-contents", "600");
        h.Files.Directory("bar", "700");
        h.File("bar/sub", "", "600");
        var options = h.Options("FROM scratch\nCOPY etc /etc\nENV owner 1000\nCOPY --chown=daemon foo /\nCOPY --chown=1000:nobody bar /baz\nARG group\nCOPY --chown=${owner}:${group} foo /foobis\n")
            with { BuildArgs = new Dictionary<string, string> { ["group"] = "nobody" } };
        await h.BuildAsync(options);
        var image = await MergedImage.ReadAsync(await h.LoadAsync("test:latest"));
        Assert.Equal((1, 1), (image.Entry("foo").Uid, image.Entry("foo").Gid));
        Assert.Equal((1000, 65534), (image.Entry("baz/sub").Uid, image.Entry("baz/sub").Gid));
        Assert.Equal((1000, 65534), (image.Entry("foobis").Uid, image.Entry("foobis").Gid));
    }

    [Fact]
    public async Task TestCopyChmod()
    {
        using var h = new BuildHarness();
        h.File("foo", "foo-contents", "600");
        h.File("bar", "bar-contents", "700");
        var options = h.Options("FROM scratch\nCOPY --chmod=0644 foo /\nCOPY --chmod=777 bar /baz\nCOPY --chmod=0 foo /foobis\n"
                                + "COPY --chmod=777 foo /parent/foo\nCOPY --chmod=770 foo /parent/sub/foo\nARG mode\nCOPY --chmod=${mode} foo /footer\n")
            with { BuildArgs = new Dictionary<string, string> { ["mode"] = "755" } };
        await h.BuildAsync(options);
        var image = await MergedImage.ReadAsync(await h.LoadAsync("test:latest"));
        Assert.Equal(0b110_100_100, image.Entry("foo").Mode);
        Assert.Equal(0b111_111_111, image.Entry("baz").Mode);
        Assert.Equal(0, image.Entry("foobis").Mode);
        Assert.Equal(0b111_111_111, image.Entry("parent").Mode);
        Assert.Equal(0b111_111_000, image.Entry("parent/sub").Mode);
        Assert.Equal(Mode0755, image.Entry("footer").Mode);
    }

    /// <summary>
    /// Symbolic --chmod changes each copied file's and directory's own mode as chmod does: the build compares every
    /// copy with busybox's chmod of the same source, by <c>stat -c %A</c>.
    /// </summary>
    [Fact]
    public async Task TestChmodNonOctal()
    {
        var ct = TestContext.Current.CancellationToken;
        using var fixture = await Tabula.Tests.Integration.RunFixture.CreateAsync(ct);
        var cases = new (string Source, string Destination, string Mode, bool IsDirectory)[]
        {
            ("file", "f1", "go-w", false), ("file", "f2", "u=rw,g=r,o=r", false), ("file", "f3", "a+X", false),
            ("dir", "d1", "go-w", true), ("dir", "d2", "u+rw,g+r,o-x,o+w", true), ("dir", "d3", "a+X", true),
        };
        var expected = new System.Text.StringBuilder();
        var copies = new System.Text.StringBuilder();
        var checks = new System.Text.StringBuilder();
        foreach (var (source, destination, mode, isDirectory) in cases)
        {
            if (isDirectory)
            {
                expected.Append($"RUN mkdir -p /input/dirs/{destination} && cp -a /input/{source} /input/dirs/{destination}/{destination}\n");
                expected.Append($"RUN cp -a /input/dirs/{destination}/. /expected/ && chmod {mode} /expected/{destination}\n");
                copies.Append($"COPY --from=base --chmod={mode} /input/dirs/{destination} /\n");
            }
            else
            {
                expected.Append($"RUN cp -a /input/{source} /expected/{destination} && chmod {mode} /expected/{destination}\n");
                copies.Append($"COPY --from=base --chmod={mode} /input/{source} /{destination}\n");
            }
            checks.Append($"RUN [ \"$(stat -c %A /actual/{destination})\" = \"$(stat -c %A /expected/{destination})\" ]\n");
        }
        var dockerfile = $"""
            FROM busybox AS base
            RUN mkdir /input && touch /input/file && chmod 666 /input/file && mkdir /input/dir && chmod 124 /input/dir && mkdir /expected
            {expected}
            FROM scratch AS result
            {copies}
            FROM base
            COPY --from=result / /actual/
            {checks}
            """;
        var (code, output) = await BusyboxBuild.BuildAsync(fixture, "chmod-symbolic:1", dockerfile);
        Assert.True(code == 0, output);
    }

    [Theory]
    [InlineData("64a")]
    [InlineData("10000")]
    public async Task TestCopyInvalidChmod(string mode)
    {
        using var h = new BuildHarness();
        h.File("foo", "foo-contents", "600");
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync($"FROM scratch\nCOPY --chmod={mode} foo /\n"));
        Assert.Contains($"'{mode}'", error.Message);
        Assert.Contains("octal", error.Message);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public async Task TestCopyOverrideFiles()
    {
        using var h = new BuildHarness();
        h.File("sub/dir1/dir2/foo", "foo-contents", "600");
        h.File("files/foo.go", "foo.go-contents", "600");
        var image = await MergedImage.BuildAsync(h, "FROM scratch AS base\nCOPY sub sub\nCOPY sub sub\nCOPY files/foo.go dest/foo.go\nCOPY files/foo.go dest/foo.go\nCOPY files dest\n");
        Assert.Equal("foo-contents", image.Text("sub/dir1/dir2/foo"));
        Assert.Equal("foo.go-contents", image.Text("dest/foo.go"));
    }

    [Fact]
    public async Task TestCopyVarSubstitution()
    {
        using var h = new BuildHarness();
        h.File("bar", "bar-contents", "600");
        var image = await MergedImage.BuildAsync(h, "FROM scratch AS base\nENV FOO bar\nCOPY $FOO baz\n");
        Assert.Equal("bar-contents", image.Text("baz"));
    }

    [Fact]
    public async Task TestCopyWildcards()
    {
        using var h = new BuildHarness();
        h.File("foo.go", "foo-contents", "600");
        h.File("bar.go", "bar-contents", "600");
        h.File("sub/dir1/dir2/foo", "foo-contents", "600");
        var image = await MergedImage.BuildAsync(h, "FROM scratch AS base\nCOPY *.go /gofiles/\nCOPY f*.go foo2.go\nCOPY sub/* /subdest/\n"
            + "COPY sub/*/dir2/foo /subdest2/\nCOPY sub/*/dir2/foo /subdest3/bar\nCOPY . all/\nCOPY sub/dir1/ subdest4\nCOPY sub/dir1/. subdest5\nCOPY sub/dir1 subdest6\n");
        Assert.Equal("foo-contents", image.Text("gofiles/foo.go"));
        Assert.Equal("bar-contents", image.Text("gofiles/bar.go"));
        Assert.Equal("foo-contents", image.Text("foo2.go"));
        Assert.Equal("foo-contents", image.Text("subdest/dir2/foo"));
        Assert.Equal("foo-contents", image.Text("subdest2/foo"));
        Assert.Equal("foo-contents", image.Text("subdest3/bar"));
        Assert.Equal("foo-contents", image.Text("all/foo.go"));
        Assert.Equal("foo-contents", image.Text("subdest4/dir2/foo"));
        Assert.Equal("foo-contents", image.Text("subdest5/dir2/foo"));
        Assert.Equal("foo-contents", image.Text("subdest6/dir2/foo"));
    }

    /// <summary>BuildKit checks each step with RUN on busybox; here each file is looked for in the image.</summary>
    [Fact]
    public async Task TestCopyRelative()
    {
        using var h = new BuildHarness();
        h.File("foo", "hello", "600");
        var built = await h.BuildImageAsync("FROM scratch\nWORKDIR /test1\nWORKDIR test2\nCOPY foo ./\nADD foo ./bar/baz\nCOPY foo ./bar/baz2\nWORKDIR ..\nCOPY foo ./\n"
            + "COPY foo /test3/\nWORKDIR /test4\nCOPY . .\nWORKDIR /test5/test6\nCOPY foo ../\n");
        var image = await MergedImage.ReadAsync(built);
        Assert.Equal("/test5/test6", built.Config.Config?.WorkingDir);
        foreach (var path in new[] { "test1/test2/foo", "test1/test2/bar/baz", "test1/test2/bar/baz2", "test1/foo", "test3/foo", "test4/foo", "test5/foo" })
            Assert.Equal("hello", image.Text(path));
    }

    [Fact]
    public async Task TestCopyUnicodePath()
    {
        using var h = new BuildHarness();
        h.File("test-äöü.txt", "foo");
        h.File("test-%C3%A4%C3%B6%C3%BC.txt", "bar");
        h.File("test+aou.txt", "baz");
        var image = await MergedImage.BuildAsync(h, "FROM scratch\nCOPY test-äöü.txt /\nCOPY test-%C3%A4%C3%B6%C3%BC.txt /\nCOPY test+aou.txt /\n");
        Assert.Equal("foo", image.Text("test-äöü.txt"));
        Assert.Equal("bar", image.Text("test-%C3%A4%C3%B6%C3%BC.txt"));
        Assert.Equal("baz", image.Text("test+aou.txt"));
    }
}
