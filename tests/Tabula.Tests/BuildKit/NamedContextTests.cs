using System.Text.Json;
using Tabula.Build;
using Tabula.Tests.Build;
using Tabula.Tests.Integration.Support;
using Tabula.Transports;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's frontend/dockerfile/dockerfile_namedcontext_test.go: named contexts (BuildKit's <c>context:NAME</c>
/// frontend attributes, buildx's and tabula's <c>--build-context NAME=VALUE</c>) replacing stages, base images and
/// --from sources. Images BuildKit pushes to a registry go to the test's store; its OCI layout stores are OCI layout
/// directories written by tabula's copy; <c>local:NAME</c> is a directory.
/// </summary>
public sealed class NamedContextTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static Dictionary<string, NamedContext> Contexts(params (string Name, string Value)[] contexts)
        => contexts.ToDictionary(c => NamedContext.Key(c.Name)!, c => NamedContext.Parse(c.Value), StringComparer.Ordinal);

    private static async Task<Tabula.Images.IImage> BuildAsync(BuildHarness h, string dockerfile, params (string Name, string Value)[] contexts)
    {
        var tag = "named-" + Guid.NewGuid().ToString("N") + ":latest";
        await h.BuildAsync(h.Options(dockerfile, tag) with { NamedContexts = Contexts(contexts) });
        return await h.LoadAsync(tag);
    }

    /// <summary>Writes a stored image to a new OCI layout directory (as BuildKit's OCI exporter) and returns it with its manifest digest.</summary>
    internal static async Task<(string Directory, string Digest)> OciLayoutAsync(BuildHarness h, TempDir temp, string image)
    {
        var directory = temp.Combine("layout-" + Guid.NewGuid().ToString("N"));
        await new ImageCopier(h.Store, _ => throw new InvalidOperationException("no registry in this test"))
            .CopyAsync(ImageLocation.Parse("store:" + image), ImageLocation.Parse("oci:" + directory + ":latest"), null, null, Ct);
        using var index = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "index.json"), Ct));
        var manifests = index.RootElement.GetProperty("manifests");
        Assert.Equal(1, manifests.GetArrayLength());
        return (directory, manifests[0].GetProperty("digest").GetString()!);
    }

    [Fact]
    public async Task TestNamedImageContext()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        await h.AddBusyboxAndAlpineAsync();
        // Image resolution without a tag: "alpine" is alpine:latest of the store.
        var image = await BuildAsync(h, """
            FROM busybox AS base
            RUN cat /etc/alpine-release > /out
            FROM scratch
            COPY --from=base /out /
            """, ("busybox", "docker-image://alpine"));
        Assert.True((await BuildKitHarness.FileTextAsync(image, "out"))?.Length > 0);

        // An image with its own ENV: the stage that the context replaces runs with it.
        const string target = "localhost:5000/buildkit/testnamedimagecontext:latest";
        await h.BuildAsync("FROM alpine:latest\nENV PATH=/foobar:$PATH\nENV FOOBAR=foobar\n", target);
        image = await BuildAsync(h, """
            FROM busybox AS base
            RUN cat /etc/alpine-release > /out
            RUN env | grep PATH > /env_path
            RUN env | grep FOOBAR > /env_foobar
            FROM scratch
            COPY --from=base /out /
            COPY --from=base /env_path /
            COPY --from=base /env_foobar /
            """, ("busybox", "docker-image://" + target));
        Assert.True((await BuildKitHarness.FileTextAsync(image, "out"))?.Length > 0);
        Assert.Equal("FOOBAR=foobar", (await BuildKitHarness.FileTextAsync(image, "env_foobar"))?.Trim());
        Assert.Contains("/foobar:", await BuildKitHarness.FileTextAsync(image, "env_path"));

        // Replacing a stage that is based on another stage (moby/buildkit#5578): none of base's own steps run.
        await BuildAsync(h, """
            FROM busybox AS parent
            FROM parent AS base
            RUN echo base > /out
            FROM base
            RUN [ -f /etc/alpine-release ]
            RUN [ ! -f /out ]
            """, ("base", "docker-image://" + target));
    }

    [Fact]
    public async Task TestNamedImageContextPlatform()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        await h.AddBusyboxAndAlpineAsync();
        // A base image made a manifest list by force (one platform).
        const string target = "localhost:5000/buildkit/testnamedimagecontextplatform:latest";
        var list = await h.BuildAsync(h.Options("FROM --platform=$BUILDPLATFORM alpine:latest", target)
            with { BuildArgs = new Dictionary<string, string> { ["BUILDKIT_MULTI_PLATFORM"] = "true" } });
        Assert.Equal(Tabula.Oci.MediaTypes.OciIndex, list.Manifest.MediaType);
        Assert.Single(list.Platforms);

        // A target platform no machine runs: the stage's RUN runs on the platform its FROM names, the build's own.
        await h.BuildAsync(h.Options("""

            FROM --platform=$BUILDPLATFORM alpine AS target
            RUN echo hello

            """) with
        {
            Platform = Tabula.Oci.Platform.Parse("darwin/ppc64le"),
            NamedContexts = Contexts(("busybox", "docker-image://" + target)),
        });
    }

    [Fact]
    public async Task TestNamedImageContextTimestamps()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        await h.AddBusyboxAndAlpineAsync();
        const string dockerfile = "FROM alpine\nRUN echo foo >> /test\n";
        const string target = "localhost:5000/buildkit/testnamedimagecontexttimestamps:latest";
        await h.BuildAsync(h.Options(dockerfile, target) with { Timestamp = null });
        var img = await h.LoadAsync(target);

        const string derived = "localhost:5000/buildkit/testnamedimagecontexttimestampsderived:latest";
        await h.BuildAsync(h.Options(dockerfile, derived) with { Timestamp = null, NamedContexts = Contexts(("alpine", "docker-image://" + target)) });
        var imgDerived = await h.LoadAsync(derived);

        Assert.NotEqual(img.Config.Created, imgDerived.Config.Created);
        var diff = imgDerived.Config.Created!.Value - img.Config.Created!.Value;
        Assert.True(diff > TimeSpan.Zero, $"derived image created {diff} after its base");
        Assert.True(diff < TimeSpan.FromMinutes(10), $"derived image created {diff} after its base");
    }

    [Fact]
    public async Task TestNamedImageContextScratch()
    {
        using var h = new BuildHarness();
        var image = await BuildAsync(h, """
            FROM busybox AS build
            COPY <<EOF /out
            hello world!
            EOF
            """, ("busybox", "docker-image://scratch"));
        Assert.Equal(["out"], await BuildKitHarness.AllPathsAsync(image));
        Assert.Equal("hello world!\n", await BuildKitHarness.FileTextAsync(image, "out"));
    }

    [Fact]
    public async Task TestNamedLocalContext()
    {
        using var h = new BuildHarness();
        using var dir2 = new TempDir("named-local");
        File.WriteAllText(dir2.Combine("out"), "dummy-result");
        File.WriteAllText(dir2.Combine("out2"), "dummy-result");
        File.WriteAllText(dir2.Combine(".dockerignore"), "out2\n");
        var image = await BuildAsync(h, """
            FROM busybox AS base
            RUN cat /etc/alpine-release > /out
            FROM scratch
            COPY --from=base /o* /
            """, ("base", dir2.Path));
        Assert.Equal("dummy-result", await BuildKitHarness.FileTextAsync(image, "out"));
        Assert.Null(await BuildKitHarness.FileTextAsync(image, "out2"));
        Assert.DoesNotContain("out2", await BuildKitHarness.AllPathsAsync(image));
    }

    [Fact]
    public async Task TestNamedOCILayoutContext()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        using var temp = new TempDir("named-oci");
        await h.AddBusyboxAndAlpineAsync();
        await h.BuildAsync("""
            FROM busybox:latest
            WORKDIR /test
            RUN sh -c "echo -n first > out"
            RUN sh -c "echo -n second > out2"
            ENV foo=bar
            """, "oci-source:latest");
        var (layout, digest) = await OciLayoutAsync(h, temp, "oci-source:latest");

        // base: busybox as is, but replaced by the layout, so COPY --from=base takes /test/o* from the layout's image;
        // foo: the layout's image with its ENV foo=bar, which the RUN of the stage over it sees.
        var image = await BuildAsync(h, """
            FROM busybox AS base
            RUN cat /etc/alpine-release > out

            FROM foo AS imported
            RUN echo -n $foo > outfoo

            FROM scratch
            COPY --from=base /test/o* /
            COPY --from=imported /test/outfoo /
            """, ("base", $"oci-layout://{layout}@{digest}"), ("foo", $"oci-layout://{layout}@{digest}"));
        Assert.Equal("first", await BuildKitHarness.FileTextAsync(image, "out"));
        Assert.Equal("second", await BuildKitHarness.FileTextAsync(image, "out2"));
        Assert.Equal("bar", await BuildKitHarness.FileTextAsync(image, "outfoo"));
    }

    [Fact]
    public async Task TestNamedOCILayoutContextExport()
    {
        using var h = new BuildHarness();
        using var temp = new TempDir("named-oci-export");
        await h.BuildAsync("FROM scratch\nWORKDIR /test\nENV foo=bar\n", "oci-export-source:latest");
        var (layout, digest) = await OciLayoutAsync(h, temp, "oci-export-source:latest");

        var image = await BuildAsync(h, "FROM nonexistent AS base\n", ("nonexistent", $"oci-layout://{layout}@{digest}"));
        Assert.Equal("/test", image.Config.Config?.WorkingDir);
        Assert.Contains("foo=bar", image.Config.Config?.Env ?? []);
    }

    /// <summary>
    /// BuildKit measures the bytes its client sends of the named directory: a COPY --from or a mount of one file sends
    /// that file, a FROM of the directory sends all of it. Tabula reads the directory where it is, so the port checks
    /// what that means here: only FROM foo turns the directory (its 4 MB file too) into a layer; the other targets
    /// add their own layer, config and manifest to the store and nothing else.
    /// </summary>
    [Fact]
    public async Task TestNamedFilteredContext()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        await h.AddBusyboxAndAlpineAsync();
        using var fooDir = new TempDir("named-filtered");
        File.WriteAllText(fooDir.Combine("foo"), "foo");
        File.WriteAllBytes(fooDir.Combine("bar"), new byte[4096 * 1000]);
        const string dockerfileBase = """
            FROM scratch AS copy_from
            COPY --from=foo /foo /
            FROM alpine AS run_mount
            RUN --mount=from=foo,src=/foo,target=/in/foo cp /in/foo /foo
            FROM foo AS image_source
            COPY --from=alpine / /
            RUN cat /foo > /bar
            FROM scratch AS all
            COPY --link --from=copy_from /foo /foo.b
            COPY --link --from=run_mount /foo /foo.c
            COPY --link --from=image_source /bar /foo.d

            """;
        const string dockerfileFull = "FROM scratch AS foo\nCOPY <<EOF /foo\ntest\nEOF\n" + dockerfileBase;
        var blobs = Path.Combine(h.Store.Content.Root, "blobs", "sha256");
        foreach (var dockerfile in new[] { dockerfileBase, dockerfileFull })
        {
            foreach (var (target, file) in new[] { ("copy_from", "foo"), ("run_mount", "foo") })
            {
                int before = Directory.GetFiles(blobs).Length;
                Assert.Equal("foo", await BuildKitHarness.FileTextAsync(await BuildAsyncTarget(h, dockerfile, target, fooDir.Path), file));
                // Its layer, config and manifest at most (none at all when the build repeats an earlier one exactly).
                int added = Directory.GetFiles(blobs).Length - before;
                Assert.True(added <= 3, $"target {target} added {added} blobs to the store: more than its layer, config and manifest");
            }
            var source = await BuildAsyncTarget(h, dockerfile, "image_source", fooDir.Path);
            Assert.Equal("foo", await BuildKitHarness.FileTextAsync(source, "bar"));
            Assert.Contains("foo", await BuildKitHarness.AllPathsAsync(source));
            var all = await BuildAsyncTarget(h, dockerfile, "all", fooDir.Path);
            foreach (var name in new[] { "foo.b", "foo.c", "foo.d" })
                Assert.Equal("foo", await BuildKitHarness.FileTextAsync(all, name));
        }
    }

    private static async Task<Tabula.Images.IImage> BuildAsyncTarget(BuildHarness h, string dockerfile, string target, string foo)
    {
        var tag = $"filtered-{target}-{Guid.NewGuid():N}:latest";
        await h.BuildAsync(h.Options(dockerfile, tag) with { Target = target, NamedContexts = Contexts(("foo", foo)) });
        return await h.LoadAsync(tag);
    }

    /// <summary>Named contexts are loaded only when used: neither a replaced stage nobody needs nor an unused FROM image is looked up.</summary>
    [Fact]
    public async Task TestEagerNamedContextLookup()
    {
        BuildKitHarness.RequireRun();
        using var h = new BuildHarness();
        await h.AddBusyboxAndAlpineAsync();
        var image = await BuildAsync(h, """
            FROM broken AS notused
            FROM alpine AS base
            RUN echo "base" > /foo
            FROM busybox AS otherstage
            FROM scratch
            COPY --from=base /foo /foo
            """, ("notused", "docker-image://docker.io/library/nosuchimage:latest"), ("busybox", "docker-image://docker.io/library/dontexist:latest"));
        Assert.Equal("base\n", await BuildKitHarness.FileTextAsync(image, "foo"));
    }
}
