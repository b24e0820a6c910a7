using Tabula.Dockerfile;
using Tabula.Tests.Build;
using Tabula.Tests.Integration;

namespace Tabula.Tests.BuildKit;

/// <summary>BuildKit's frontend/dockerfile/dockerfile_args_test.go.</summary>
public class ArgsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Args(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    [Fact]
    public async Task TestGlobalArg()
    {
        using var h = new BuildHarness();
        await h.BuildAsync("FROM scratch\nLABEL base=1\n", "busybox:latest");
        var image = await h.BuildAsync(h.Options("ARG tag=nosuchtag\nFROM busybox:${tag}\n") with { BuildArgs = Args(("tag", "latest")) });
        Assert.NotNull(image);
    }

    [Fact]
    public async Task TestGlobalArgErrors()
    {
        using var h = new BuildHarness();
        await h.BuildAsync("FROM scratch\nLABEL base=1\n", "busybox:latest");
        const string dockerfile = "ARG FOO=${FOO:?\"custom error\"}\nFROM busybox\n";
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync(dockerfile));
        Assert.Contains("FOO: custom error", error.Message);
        await h.BuildAsync(h.Options(dockerfile) with { BuildArgs = Args(("FOO", "bar")) });
    }

    [Fact]
    public async Task TestArgDefaultExpansion()
    {
        using var h = new BuildHarness();
        const string dockerfile = "FROM scratch\nARG FOO\nARG BAR=${FOO:?\"foo missing\"}\n";
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync(dockerfile));
        Assert.Contains("FOO: foo missing", error.Message);
        await h.BuildAsync(h.Options(dockerfile) with { BuildArgs = Args(("FOO", "123")) });
        await h.BuildAsync(h.Options(dockerfile) with { BuildArgs = Args(("BAR", "123")) });
    }

    [Fact]
    public async Task TestMultiArgs()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        // BuildKit's "FROM busy$a2" names busybox; here the meta-arg names the fixture image.
        var image = await BusyboxBuild.BuildImageAsync(fixture, "multi-args:1", $"""
            ARG a1="foo bar" a2={RunFixture.BaseImage}
            ARG a3="$a2-foo"
            FROM $a2 AS build
            ARG a3 a4="123 456" a1
            RUN echo -n "$a1:$a3:$a4" > /out
            FROM scratch
            COPY --from=build /out .
            """);
        Assert.Equal($"foo bar:{RunFixture.BaseImage}-foo:123 456", await BusyboxBuild.FileTextAsync(image, "out"));
    }

    [Fact]
    public async Task TestQuotedMetaArgs()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var image = await BusyboxBuild.BuildImageAsync(fixture, "quoted-meta:1", $"""
            ARG a1="box"
            ARG a2="$a1-foo"
            FROM {RunFixture.BaseImage} AS build
            ARG a2
            ARG a3="bar-$a2"
            RUN echo -n $a3 > /out
            FROM scratch
            COPY --from=build /out .
            """);
        Assert.Equal("bar-box-foo", await BusyboxBuild.FileTextAsync(image, "out"));
    }

    [Fact]
    public async Task TestTargetStageNameArg()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        const string dockerfile = """
            FROM alpine AS base
            WORKDIR /out
            RUN echo -n "value:$TARGETSTAGE" > /out/first
            ARG TARGETSTAGE
            RUN echo -n "value:$TARGETSTAGE" > /out/second
            FROM scratch AS foo
            COPY --from=base /out/ /
            FROM scratch
            COPY --from=base /out/ /

            """;
        async Task<(string First, string Second)> OutAsync(string tag, string text, params string[] flags)
        {
            var rows = await LayerContents.ReadAllAsync(await BusyboxBuild.BuildImageAsync(fixture, tag, text, flags));
            return (LayerContents.Single(rows, "first").Text!, LayerContents.Single(rows, "second").Text!);
        }
        Assert.Equal(("value:", "value:foo"), await OutAsync("target-stage:1", dockerfile, "--target", "foo"));
        Assert.Equal(("value:", "value:default"), await OutAsync("target-stage:2", dockerfile));
        Assert.Equal(("value:", "value:final"), await OutAsync("target-stage:3", dockerfile + "FROM scratch AS final\nCOPY --from=base /out/ /\n"));
    }

    [Fact]
    public async Task TestBuiltinArgs()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        const string dockerfile = """
            FROM busybox AS build
            ARG FOO
            ARG BAR
            ARG BAZ=bazcontent
            RUN echo -n $HTTP_PROXY::$NO_PROXY::$FOO::$BAR::$BAZ > /out
            FROM scratch
            COPY --from=build /out /
            """;
        async Task<string> OutAsync(string tag, params string[] flags)
        {
            return (await BusyboxBuild.FileTextAsync(await BusyboxBuild.BuildImageAsync(fixture, tag, dockerfile, flags), "out"))!;
        }
        Assert.Equal("hpvalue::npvalue::foocontents::::bazcontent",
            await OutAsync("builtin:1", "--build-arg", "FOO=foocontents", "--build-arg", "http_proxy=hpvalue", "--build-arg", "NO_PROXY=npvalue"));
        // A changed proxy value alone is not in the cache key, as in BuildKit: the step is reused.
        Assert.Equal("hpvalue::npvalue::foocontents::::bazcontent",
            await OutAsync("builtin:2", "--build-arg", "FOO=foocontents", "--build-arg", "http_proxy=hpvalue2"));
        Assert.Equal("hpvalue2::::foocontents2::::bazcontent",
            await OutAsync("builtin:3", "--build-arg", "FOO=foocontents2", "--build-arg", "http_proxy=hpvalue2"));
    }

    [Fact]
    public async Task TestDefaultEnvWithArgs()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var dockerfile = $$"""
            ARG image={{RunFixture.BaseImage}}
            FROM ${image} AS build
            ARG my_arg
            ENV my_arg "my_arg=${my_arg:-def_val}"
            ENV my_trimmed_arg "${my_arg%%e*}"
            COPY myscript.sh myscript.sh
            RUN sh ./myscript.sh $my_arg $my_trimmed_arg
            FROM scratch
            COPY --from=build /out /out
            """;
        foreach (var (name, flags, expected) in new[]
        {
            ("nil", Array.Empty<string>(), "my_arg=def_val my_arg=def_val my_arg=d"),
            ("empty", ["--build-arg", "my_arg="], "my_arg=def_val my_arg=def_val my_arg=d"),
            ("override", ["--build-arg", "my_arg=override"], "my_arg=override my_arg=override my_arg=ov"),
        })
        {
            var context = fixture.Context("ctx-" + name, dockerfile, ("myscript.sh", "#!/usr/bin/env sh\necho -n $my_arg $* > /out\n"));
            var (code, output, error) = await fixture.TabulaAsync(Ct, ["build", "-t", "default-env:" + name, .. flags, context]);
            Assert.True(code == 0, output + error);
            var image = await BusyboxBuild.LoadAsync(fixture, "default-env:" + name);
            Assert.Equal(expected, await BusyboxBuild.FileTextAsync(image, "out"));
        }
    }

    [Fact]
    public async Task TestEmptyStringArgInEnv()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var image = await BusyboxBuild.BuildImageAsync(fixture, "empty-arg:1",
            "FROM busybox AS build\nARG FOO\nARG BAR=\nRUN env > env.txt\nFROM scratch\nCOPY --from=build env.txt .\n");
        var env = (await BusyboxBuild.FileTextAsync(image, "env.txt"))!;
        Assert.Contains("BAR=", env);
        Assert.DoesNotContain("FOO=", env);
    }

    [Fact]
    public async Task TestEnvEmptyFormatting()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        await BusyboxBuild.BuildImageAsync(fixture, "env-format:1", "FROM busybox AS build\nENV myenv foo%sbar\nRUN [ \"$myenv\" = 'foo%sbar' ]\n");
    }

    /// <summary>
    /// The parity issue's item 7 (no BuildKit test of its own): an ARG declared after an ENV of the same name gives
    /// RUN the build-arg value, the image's ENV keeps its own, and the RUN history lists a valueless ARG as <c>D=</c>.
    /// </summary>
    [Fact]
    public async Task ArgAfterEnvOfTheSameNameTakesTheBuildArg()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var image = await BusyboxBuild.BuildImageAsync(fixture, "arg-after-env:1",
            "FROM busybox\nENV FOO=env\nARG FOO\nARG D\nRUN echo -n $FOO > /out\n", "--build-arg", "FOO=given");
        Assert.Equal("given", LayerContents.Single(await LayerContents.ReadAsync(image.Layers[^1]), "out").Text);
        Assert.Contains("FOO=env", image.Config.Config!.Env!);
        Assert.StartsWith("RUN |2 FOO=given D= /bin/sh -c echo -n $FOO > /out", image.Config.History![^1].CreatedBy);
    }
}
