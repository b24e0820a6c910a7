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

    [Fact]
    public async Task TestHeredocVarSubstitution()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var image = await BuildRunAsync(fixture, "varsubst", "\nFROM busybox as build\n\nARG name=world\n\nCOPY <<EOF /dest/c1\nHello ${name}!\nEOF\nCOPY <<'EOF' /dest/c2\nHello ${name}!\nEOF\nCOPY <<\"EOF\" /dest/c3\nHello ${name}!\nEOF\n\nCOPY <<EOF /dest/q1\nHello '${name}'!\nEOF\nCOPY <<EOF /dest/q2\nHello \"${name}\"!\nEOF\nCOPY <<'EOF' /dest/qsingle1\nHello '${name}'!\nEOF\nCOPY <<'EOF' /dest/qsingle2\nHello \"${name}\"!\nEOF\nCOPY <<\"EOF\" /dest/qdouble1\nHello '${name}'!\nEOF\nCOPY <<\"EOF\" /dest/qdouble2\nHello \"${name}\"!\nEOF\n\nRUN <<EOF\ngreeting=\"Hello\"\necho \"${greeting} ${name}!\" > /dest/r1\nEOF\nRUN <<EOF\nname=\"new world\"\necho \"Hello ${name}!\" > /dest/r2\nEOF\n\nFROM scratch\nCOPY --from=build /dest /\n");
        var expected = new Dictionary<string, string>
        {
            ["c1"] = "Hello world!\n", ["c2"] = "Hello ${name}!\n", ["c3"] = "Hello ${name}!\n",
            ["q1"] = "Hello 'world'!\n", ["q2"] = "Hello \"world\"!\n",
            ["qsingle1"] = "Hello '${name}'!\n", ["qsingle2"] = "Hello \"${name}\"!\n",
            ["qdouble1"] = "Hello '${name}'!\n", ["qdouble2"] = "Hello \"${name}\"!\n",
            ["r1"] = "Hello world!\n", ["r2"] = "Hello new world!\n",
        };
        foreach (var (name, content) in expected) Assert.Equal(content, image.Text(name));
    }

    [Fact]
    public async Task TestHeredocIndent()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var image = await BuildRunAsync(fixture, "indent", "\nFROM busybox AS build\n\nCOPY <<EOF /dest/foo-copy\n\tfoo\nEOF\n\nCOPY <<-EOF /dest/bar-copy\n\tbar\nEOF\n\nRUN <<EOF\necho \"\n\tfoo\" > /dest/foo-run\nEOF\n\nRUN <<-EOF\necho \"\n\tbar\" > /dest/bar-run\nEOF\n\nRUN <<EOF\n#!/bin/sh\necho \"\n\tfoo\" > /dest/foo2-run\nEOF\n\nRUN <<-EOF\n#!/bin/sh\necho \"\n\tbar\" > /dest/bar2-run\nEOF\n\nRUN <<EOF sh > /dest/foo3-run\necho \"\n\tfoo\"\nEOF\n\nRUN <<-EOF sh > /dest/bar3-run\necho \"\n\tbar\"\nEOF\n\nFROM scratch\nCOPY --from=build /dest /\n");
        var expected = new Dictionary<string, string>
        {
            ["foo-copy"] = "\tfoo\n", ["foo-run"] = "\n\tfoo\n", ["foo2-run"] = "\n\tfoo\n", ["foo3-run"] = "\n\tfoo\n",
            ["bar-copy"] = "bar\n", ["bar-run"] = "\nbar\n", ["bar2-run"] = "\nbar\n", ["bar3-run"] = "\nbar\n",
        };
        foreach (var (name, content) in expected) Assert.Equal(content, image.Text(name));
    }

    [Fact]
    public async Task TestCopyHeredocSpecialSymbols()
    {
        using var h = new BuildHarness();
        var image = await MergedImage.BuildAsync(h, "\nFROM scratch\n\nCOPY <<EOF quotefile\n\"quotes in file\"\nEOF\n\nCOPY <<EOF slashfile1\n\\\nEOF\nCOPY <<EOF slashfile2\n\\\\\nEOF\nCOPY <<EOF slashfile3\n\\$\nEOF\n\nCOPY <<\"EOF\" rawslashfile1\n\\\nEOF\nCOPY <<\"EOF\" rawslashfile2\n\\\\\nEOF\nCOPY <<\"EOF\" rawslashfile3\n\\$\nEOF\n");
        Assert.Equal("\"quotes in file\"\n", image.Text("quotefile"));
        Assert.Equal("\n", image.Text("slashfile1"));
        Assert.Equal("\\\n", image.Text("slashfile2"));
        Assert.Equal("$\n", image.Text("slashfile3"));
        Assert.Equal("\\\n", image.Text("rawslashfile1"));
        Assert.Equal("\\\\\n", image.Text("rawslashfile2"));
        Assert.Equal("\\$\n", image.Text("rawslashfile3"));
    }

    /// <summary>BuildKit pushes the base to a registry and pulls it back; here it stays in the store.</summary>
    [Fact]
    public async Task TestOnBuildHeredoc()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var baseContext = fixture.Context("onbuild-base", $"FROM {RunFixture.BaseImage}\nONBUILD RUN <<EOF\necho \"hello world\" >> /dest\nEOF\n");
        await fixture.BuildAsync(baseContext, "onbuild-heredoc:base", Ct);
        var image = await BuildRunAsync(fixture, "onbuild", "FROM onbuild-heredoc:base AS base\nFROM scratch\nCOPY --from=base /dest /dest\n");
        Assert.Equal("hello world\n", image.Text("dest"));
    }
}
