using Tabula.Build;
using Tabula.Oci;

namespace Tabula.Tests.Build;

/// <summary>ARG and ENV scoping and expansion, as BuildKit dispatches them.</summary>
public class ArgExpansionTests
{
    private static async Task<IReadOnlyDictionary<string, string>> LabelsAsync(BuildHarness h, string dockerfile, Dictionary<string, string>? args = null, Platform? platform = null)
    {
        var options = h.Options(dockerfile) with { BuildArgs = args ?? [] };
        if (platform is not null) options = options with { Platform = platform };
        await h.BuildAsync(options);
        return (await h.LoadAsync("test:latest")).Config.Config!.Labels!;
    }

    [Fact]
    public async Task Meta_args_name_the_base_and_build_args_override_them()
    {
        using var h = new BuildHarness();
        await h.BuildAsync("FROM scratch\nLABEL which=one\n", "base:one");
        await h.BuildAsync("FROM scratch\nLABEL which=two\n", "base:two");
        const string dockerfile = "ARG TAG=one\nARG BASE=base:${TAG}\nFROM $BASE\nLABEL built=yes\n";

        Assert.Equal("one", (await LabelsAsync(h, dockerfile))["which"]);
        Assert.Equal("two", (await LabelsAsync(h, dockerfile, new() { ["TAG"] = "two" }))["which"]);
    }

    [Fact]
    public async Task A_stage_sees_a_global_arg_only_after_declaring_it()
    {
        using var h = new BuildHarness();
        var image = await h.BuildImageAsync("ARG V=global\nFROM scratch\nLABEL before=\"[$V]\"\nARG V\nLABEL after=\"[$V]\"\n");
        var labels = image.Config.Config!.Labels!;
        Assert.Equal("[]", labels["before"]);
        Assert.Equal("[global]", labels["after"]);
        Assert.Equal("ARG V=global", image.Config.History![1].CreatedBy);
    }

    [Fact]
    public async Task A_build_arg_beats_the_stage_default()
    {
        using var h = new BuildHarness();
        var labels = await LabelsAsync(h, "FROM scratch\nARG V=default W=w\nLABEL v=$V w=$W\n", new() { ["V"] = "given" });
        Assert.Equal("given", labels["v"]);
        Assert.Equal("w", labels["w"]);
    }

    [Fact]
    public async Task An_arg_without_value_is_empty_and_shows_bare_in_history()
    {
        using var h = new BuildHarness();
        var image = await h.BuildImageAsync("FROM scratch\nARG NOPE\nLABEL v=\"[${NOPE:-unset}]\"\n");
        Assert.Equal("[unset]", image.Config.Config!.Labels!["v"]);
        Assert.Equal("ARG NOPE", image.Config.History![0].CreatedBy);
    }

    [Fact]
    public async Task Env_wins_over_an_arg_of_the_same_name()
    {
        using var h = new BuildHarness();
        var labels = await LabelsAsync(h, "FROM scratch\nARG V=arg\nENV V=env\nLABEL v=$V\n", new() { ["V"] = "build-arg" });
        Assert.Equal("env", labels["v"]);
        // Docker's documented idiom: ENV takes the ARG's value with a fallback.
        labels = await LabelsAsync(h, "FROM scratch\nARG VER\nENV VER=${VER:-v1.0.0}\nLABEL v=$VER\n", new() { ["VER"] = "v2" });
        Assert.Equal("v2", labels["v"]);
        labels = await LabelsAsync(h, "FROM scratch\nARG VER\nENV VER=${VER:-v1.0.0}\nLABEL v=$VER\n");
        Assert.Equal("v1.0.0", labels["v"]);
    }

    [Fact]
    public async Task Platform_args_exist_in_a_stage_only_after_arg()
    {
        using var h = new BuildHarness();
        var labels = await LabelsAsync(h,
            "FROM scratch\nLABEL before=\"[$TARGETARCH]\"\nARG TARGETPLATFORM TARGETOS TARGETARCH TARGETVARIANT\n"
            + "LABEL p=$TARGETPLATFORM o=$TARGETOS a=$TARGETARCH v=$TARGETVARIANT\n",
            platform: Platform.Parse("linux/arm/v7"));
        Assert.Equal("[]", labels["before"]);
        Assert.Equal("linux/arm/v7", labels["p"]);
        Assert.Equal("linux", labels["o"]);
        Assert.Equal("arm", labels["a"]);
        Assert.Equal("v7", labels["v"]);
    }

    [Fact]
    public async Task Platform_args_are_usable_in_from_without_declaration()
    {
        using var h = new BuildHarness();
        await h.BuildAsync("FROM scratch\nLABEL arch=arm64\n", "base:arm64");
        var labels = await LabelsAsync(h, "FROM base:$TARGETARCH\nLABEL x=y\n", platform: Platform.Parse("linux/arm64"));
        Assert.Equal("arm64", labels["arch"]);
    }

    [Fact]
    public async Task An_unused_build_arg_is_reported()
    {
        using var h = new BuildHarness();
        await h.BuildAsync(h.Options("ARG META\nFROM scratch\nARG USED\nLABEL a=b\n") with
        {
            BuildArgs = new Dictionary<string, string> { ["USED"] = "1", ["META"] = "2", ["EXTRA"] = "3", ["HTTP_PROXY"] = "http://proxy", ["no_proxy"] = "x" },
        });
        // Proxy variables are predefined and never reported.
        var warning = Assert.Single(h.Events.OfType<BuildWarning>());
        Assert.Equal("One or more build-args [EXTRA] were not consumed", warning.Message);
    }

    [Fact]
    public async Task The_escape_directive_changes_the_escape_in_expansion()
    {
        using var h = new BuildHarness();
        var labels = await LabelsAsync(h, "# escape=`\nFROM scratch\nARG V=val\nLABEL a=`$V b=$V c=C:\\dir\n");
        Assert.Equal("$V", labels["a"]);
        Assert.Equal("val", labels["b"]);
        Assert.Equal("C:\\dir", labels["c"]);
    }

    [Fact]
    public async Task Copy_paths_are_expanded_with_env_and_args()
    {
        using var h = new BuildHarness();
        h.File("src/app.txt", "x");
        var image = await h.BuildImageAsync("FROM scratch\nARG NAME=app\nENV DIR=/opt\nCOPY src/${NAME}.txt $DIR/\n");
        Assert.Equal("COPY src/app.txt /opt/ # buildkit", image.Config.History![^1].CreatedBy);
        Assert.Contains("opt/app.txt", LayerContents.Paths(await LayerContents.ReadAsync(image.Layers[0])));
    }
}
