using Tabula.Dockerfile;
using Tabula.Tests.Build;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's frontend/dockerfile/dockerfile_parents_test.go. BuildKit's base stage makes its tree with RUN on alpine
/// and checks each target with RUN; here the base stage copies the same tree from the context and each target's
/// image is read back.
/// </summary>
public class ParentsTests
{
    private static readonly string[] RelativeTree =
        ["a/b/c/d/foo", "a/b/c/d/e/bay", "a/b2/c/d/e/bar", "a/b/c2/d/e/baz", "a/b/c2/d/e2/baz"];

    [Fact]
    public async Task TestCopyParents()
    {
        using var h = new BuildHarness();
        h.Files.Directory("foo1", "700");
        h.Files.Directory("foo1/foo2", "700");
        h.File("foo1/foo2/bar", "testing", "600");
        h.File("foo1/foo2/baz", "testing2", "600");
        var image = await MergedImage.BuildAsync(h, "FROM scratch\nCOPY --parents foo1/foo2/bar /\nWORKDIR /test\nCOPY --parents foo1/foo2/ba* .\n");
        Assert.Equal("testing", image.Text("foo1/foo2/bar"));
        Assert.Equal("testing", image.Text("test/foo1/foo2/bar"));
        Assert.Equal("testing2", image.Text("test/foo1/foo2/baz"));
    }

    [Theory]
    [InlineData("middle", "COPY --from=base --parents /test/a/b/./c/d /out/", new[] { "out/c/d/e", "out/c/d/foo" }, new[] { "out/a", "out/e" })]
    [InlineData("end", "COPY --from=base --parents /test/a/b/c/d/. /out/", new[] { "out/test/a/b/c/d/e", "out/test/a/b/c/d/foo" }, new string[0])]
    [InlineData("start", "COPY --from=base --parents ./test/a/b/c/d /out/", new[] { "out/test/a/b/c/d/e", "out/test/a/b/c/d/foo" }, new string[0])]
    [InlineData("double", "COPY --from=base --parents /test/a/./b/./c /out/", new[] { "out/b/c/d/e", "out/b/c/d/foo" }, new string[0])]
    [InlineData("wildcard", "COPY --from=base --parents /test/a/./*/c /out/", new[] { "out/b/c/d/e", "out/b2/c/d/e/bar" }, new string[0])]
    public async Task TestCopyRelativeParents(string target, string copy, string[] present, string[] absent)
        => await CopyRelativeParentsAsync(target, copy, present, absent);

    /// <summary>The targets of testCopyRelativeParents whose sources hold <c>**</c>: any number of components.</summary>
    [Theory]
    [InlineData("doublewildcard", "COPY --from=base --parents /test/a/b*/./c/**/e /out/", new[] { "out/c/d/e", "out/c/d/e/bay", "out/c/d/e/bar" }, new string[0])]
    [InlineData("doubleinputs", "COPY --from=base --parents /test/a/b/c*/./d/**/baz /test/a/b*/./c/**/bar /out/", new[] { "out/d/e/baz", "out/d/e2/baz", "out/c/d/e/bar" }, new[] { "out/d/e/bay" })]
    public async Task TestCopyRelativeParents_doublestar(string target, string copy, string[] present, string[] absent)
        => await CopyRelativeParentsAsync(target, copy, present, absent);

    /// <summary>The same <c>**</c> sources taken from the build context rather than a stage.</summary>
    [Theory]
    [InlineData("COPY --parents tree/a/b*/./c/**/e /out/", new[] { "out/c/d/e", "out/c/d/e/bay", "out/c/d/e/bar" }, new[] { "out/a", "out/c/d/foo" })]
    [InlineData("COPY --parents tree/a/b/c*/./d/**/baz tree/a/b*/./c/**/bar /out/", new[] { "out/d/e/baz", "out/d/e2/baz", "out/c/d/e/bar" }, new[] { "out/d/e/bay" })]
    public async Task TestCopyRelativeParents_doublestar_context(string copy, string[] present, string[] absent)
    {
        using var h = new BuildHarness();
        foreach (var file in RelativeTree) h.File("tree/" + file, "");
        var image = await MergedImage.BuildAsync(h, $"FROM scratch\n{copy}\n");
        foreach (var path in present) Assert.True(image.Exists(path), $"/{path} is missing");
        foreach (var path in absent) Assert.False(image.Exists(path), $"/{path} should not be there");
    }

    private static async Task CopyRelativeParentsAsync(string target, string copy, string[] present, string[] absent)
    {
        using var h = new BuildHarness();
        foreach (var file in RelativeTree) h.File("tree/" + file, "");
        var image = await MergedImage.BuildAsync(h, $"FROM scratch AS base\nCOPY tree/ /test/\nFROM scratch AS {target}\n{copy}\n");
        foreach (var path in present) Assert.True(image.Exists(path), $"{target}: /{path} is missing");
        foreach (var path in absent) Assert.False(image.Exists(path), $"{target}: /{path} should not be there");
    }

    [Theory]
    [InlineData("normal", "COPY --from=base --parents /test/a/b/c/d /out/", new[] { "out/test/a/b/c/d/e", "out/test/a/b/c/d/e/bay" }, new[] { "out/e", "out/a" })]
    [InlineData("withpivot", "COPY --from=base --parents /test/a/b/./c/d /out/", new[] { "out/c/d/e", "out/c/d/foo" }, new[] { "out/a", "out/e" })]
    [InlineData("wildcard-nonexistent", "COPY --from=base --parents /test/a/b2*/c /out/", new[] { "out" }, new[] { "out/a" })]
    [InlineData("wildcard-afterpivot", "COPY --from=base --parents /test/a/b/./c2* /out/", new[] { "out" }, new[] { "out/a", "out/c2" })]
    public async Task TestCopyParentsMissingDirectory(string target, string copy, string[] present, string[] absent)
    {
        using var h = new BuildHarness();
        foreach (var file in new[] { "a/b/c/d/foo", "a/b/c/d/e/bay" }) h.File("tree/" + file, "");
        var image = await MergedImage.BuildAsync(h, $"FROM scratch AS base\nCOPY tree/ /test/\nFROM scratch AS {target}\n{copy}\n");
        foreach (var path in present) Assert.True(image.Exists(path), $"{target}: /{path} is missing");
        foreach (var path in absent) Assert.False(image.Exists(path), $"{target}: /{path} should not be there");
    }

    /// <summary>The <c>nonexistentfile</c> target of testCopyParentsMissingDirectory: BuildKit's solve fails.</summary>
    [Fact]
    public async Task TestCopyParentsMissingDirectory_nonexistentfile()
    {
        using var h = new BuildHarness();
        h.File("tree/a/b/c/d/foo", "");
        var error = await Assert.ThrowsAsync<DockerfileException>(() =>
            h.BuildAsync("FROM scratch AS base\nCOPY tree/ /test/\nFROM scratch AS nonexistentfile\nCOPY --from=base --parents /test/nonexistent-file /out/\n"));
        Assert.Contains("not found", error.Message);
        Assert.Equal(4, error.Line);
    }
}
