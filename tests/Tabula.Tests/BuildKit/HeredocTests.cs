using Tabula.Tests.Build;
using Tabula.Tests.Integration;
using Tabula.Transports;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's frontend/dockerfile/dockerfile_heredoc_test.go: COPY cases over scratch, RUN cases over the busybox
/// fixture with runc; BuildKit's local export is replaced by reading the built image's files.
/// </summary>
public class HeredocTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Builds BuildKit's Dockerfile with the fixture as its busybox and returns the image's files.</summary>
    private static async Task<MergedImage> BuildRunAsync(RunFixture fixture, string name, string dockerfile)
    {
        var context = fixture.Context(name, dockerfile.Replace("FROM busybox", "FROM " + RunFixture.BaseImage, StringComparison.Ordinal));
        await fixture.BuildAsync(context, name + ":1", Ct);
        var store = ImageStore.Open(fixture.Store);
        var stored = await store.Resolver.ResolveAsync(name + ":1", Ct);
        return await MergedImage.ReadAsync(await store.LoadAsync(stored, null, Ct));
    }

    [Fact]
    public async Task TestRunBasicHeredoc()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var image = await BuildRunAsync(fixture, "basic",
            "FROM busybox AS build\nRUN <<EOF\necho \"i am\" >> /dest\nwhoami >> /dest\nEOF\nFROM scratch\nCOPY --from=build /dest /dest\n");
        Assert.Equal("i am\nroot\n", image.Text("dest"));
    }

    [Fact]
    public async Task TestRunFakeHeredoc()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var image = await BuildRunAsync(fixture, "fake",
            "FROM busybox AS build\n\nSHELL [\"/bin/awk\"]\nRUN <<EOF\nBEGIN {\n\tprint \"foo\" > \"/dest\"\n}\nEOF\nFROM scratch\nCOPY --from=build /dest /dest\n");
        Assert.Equal("foo\n", image.Text("dest"));
    }

    [Fact]
    public async Task TestRunShebangHeredoc()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var image = await BuildRunAsync(fixture, "shebang",
            "FROM busybox AS build\n\nWORKDIR /dest\n\nRUN <<EOF\n#!/bin/awk -f\nBEGIN {\n\tprint \"hello\" >> \"./out1\"\n\tprint \"world\" >> \"./out1\"\n}\nEOF\n\n"
            + "RUN <<-EOF\n\t#!/bin/awk -f\n\tBEGIN {\n\t\tprint \"hello\" >> \"./out2\"\n\t\tprint \"world\" >> \"./out2\"\n\t}\nEOF\n\nFROM scratch\nCOPY --from=build /dest /\n");
        Assert.Equal("hello\nworld\n", image.Text("out1"));
        Assert.Equal("hello\nworld\n", image.Text("out2"));
    }

    [Fact]
    public async Task TestRunComplexHeredoc()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var image = await BuildRunAsync(fixture, "complex",
            "FROM busybox AS build\n\nWORKDIR /dest\n\nRUN cat <<EOF1 | tr '[:upper:]' '[:lower:]' > ./out1; \\\n\tcat <<EOF2 | tr '[:lower:]' '[:upper:]' > ./out2\nhello WORLD\nEOF1\nHELLO world\nEOF2\n\n"
            + "RUN <<EOF 3<<IN1 4<<IN2 awk -f -\nBEGIN {\n\twhile ((getline line < \"/proc/self/fd/3\") > 0)\n\t\tprint tolower(line) > \"./fd3\"\n\twhile ((getline line < \"/proc/self/fd/4\") > 0)\n\t\tprint toupper(line) > \"./fd4\"\n}\nEOF\nhello WORLD\nIN1\nHELLO world\nIN2\n\nFROM scratch\nCOPY --from=build /dest /\n");
        Assert.Equal("hello world\n", image.Text("out1"));
        Assert.Equal("HELLO WORLD\n", image.Text("out2"));
        Assert.Equal("hello world\n", image.Text("fd3"));
        Assert.Equal("HELLO WORLD\n", image.Text("fd4"));
    }
    /// <summary>busybox's adduser is replaced by the /etc/passwd and /etc/group it would leave; stat by the layer's modes and owners.</summary>
    [Fact]
    public async Task TestCopyHeredoc()
    {
        using var h = new BuildHarness();
        h.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n");
        h.File("etc/group", "root:x:0:\nuser:x:1000:\n");
        var image = await MergedImage.BuildAsync(h, """
            FROM scratch AS build
            COPY etc /etc
            WORKDIR /dest
            COPY <<EOF single
            single file
            EOF
            COPY <<EOF <<EOF2 double/
            first file
            EOF
            second file
            EOF2
            COPY --chmod=777 <<EOF /permfiles/all
            dummy content
            EOF
            COPY --chmod=0644 <<EOF /permfiles/rw
            dummy content
            EOF
            COPY --chown=user:user <<EOF /permfiles/owned
            dummy content
            EOF

            """);
        Assert.Equal("single file\n", image.Text("dest/single"));
        Assert.Equal("first file\n", image.Text("dest/double/EOF"));
        Assert.Equal("second file\n", image.Text("dest/double/EOF2"));
        Assert.Equal(0b111_111_111, image.Entry("permfiles/all").Mode);
        Assert.Equal(0b110_100_100, image.Entry("permfiles/rw").Mode);
        Assert.Equal((1000, 1000), (image.Entry("permfiles/owned").Uid, image.Entry("permfiles/owned").Gid));
    }
}
