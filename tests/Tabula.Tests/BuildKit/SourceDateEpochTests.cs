using Tabula.Build;
using Tabula.Dockerfile;
using Tabula.Images;
using Tabula.Tests.Build;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's frontend/dockerfile/dockerfile_source_date_epoch_test.go. BuildKit's exporter option
/// <c>rewrite-timestamp</c> is what Tabula always does with an epoch (layer mtimes clamped to it), so where
/// BuildKit reads its <c>buildkit/rewritten-timestamp</c> layer annotation (which Tabula does not write) these
/// tests read the clamped mtime of the copied file instead.
/// </summary>
public class SourceDateEpochTests
{
    private static Dictionary<string, string> Epoch(string value) => new(StringComparer.Ordinal) { [SourceDateEpoch.Name] = value };

    /// <summary>A build with no timestamp option, so that only the Dockerfile and the build args decide.</summary>
    private static async Task<IImage> BuildAsync(BuildHarness h, string dockerfile, Dictionary<string, string>? buildArgs = null)
    {
        h.File("Dockerfile", dockerfile);
        File.SetLastWriteTimeUtc(Path.Combine(h.ContextDirectory, "Dockerfile"), new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc));
        await h.BuildAsync(h.Options(dockerfile) with { Timestamp = null, BuildArgs = buildArgs ?? [] });
        return await h.LoadAsync("test:latest");
    }

    private static async Task<long> CopiedMTimeAsync(IImage image)
        => LayerContents.Single(await LayerContents.ReadAsync(Assert.Single(image.Layers)), "Dockerfile").MTime;

    private static readonly long ContextFileTime = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero).ToUnixTimeSeconds();

    [Fact]
    public async Task TestSourceDateEpochWithoutExporter()
    {
        using var h = new BuildHarness();
        var image = await BuildAsync(h, "FROM scratch\nENTRYPOINT foo bar\nCOPY Dockerfile .\n", Epoch("1700000001"));
        Assert.Equal(1700000001, image.Config.Created!.Value.ToUnixTimeSeconds());
        Assert.All(image.Config.History!, e => Assert.Equal(1700000001, e.Created!.Value.ToUnixTimeSeconds()));
    }

    [Fact]
    public async Task TestSourceDateEpochDockerfileDefault()
    {
        using var h = new BuildHarness();
        var tm = new DateTimeOffset(2015, 10, 21, 7, 28, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var image = await BuildAsync(h, $"ARG SOURCE_DATE_EPOCH={tm}\nFROM scratch\nCOPY Dockerfile .\n");
        Assert.Equal(tm, await CopiedMTimeAsync(image));
        Assert.Equal(tm, image.Config.Created!.Value.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task TestSourceDateEpochDockerfileDefaultOverride()
    {
        using var h = new BuildHarness();
        var image = await BuildAsync(h, "ARG SOURCE_DATE_EPOCH=1700000001\nFROM scratch\nCOPY Dockerfile .\n", Epoch("1700000002"));
        Assert.Equal(1700000002, await CopiedMTimeAsync(image));
    }

    /// <summary>BuildKit resets with the exporter's empty <c>source-date-epoch</c>; here with an empty build arg.</summary>
    [Fact]
    public async Task TestSourceDateEpochDockerfileDefaultReset()
    {
        using var h = new BuildHarness();
        var image = await BuildAsync(h, "ARG SOURCE_DATE_EPOCH=1445412480\nFROM scratch\nCOPY Dockerfile .\n", Epoch(""));
        Assert.Equal(ContextFileTime, await CopiedMTimeAsync(image));
        Assert.NotEqual(1445412480, image.Config.Created!.Value.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task TestSourceDateEpochDockerfileDefaultInvalid()
    {
        using var h = new BuildHarness();
        var error = await Assert.ThrowsAsync<DockerfileException>(() => BuildAsync(h, "ARG SOURCE_DATE_EPOCH=not-a-timestamp\nFROM scratch\nCOPY Dockerfile .\n"));
        Assert.Contains("invalid SOURCE_DATE_EPOCH: not-a-timestamp", error.Message);
        Assert.StartsWith("Dockerfile:1:", error.Message);
    }

    /// <summary>A local context has no time of its own: <c>context</c> leaves the build without an epoch.</summary>
    [Fact]
    public async Task TestSourceDateEpochContextLocalUnset()
    {
        using var h = new BuildHarness();
        var image = await BuildAsync(h, "FROM scratch\nCOPY Dockerfile /\n", Epoch("context"));
        Assert.Equal(ContextFileTime, await CopiedMTimeAsync(image));
    }

    /// <summary>The stage BuildKit would take the time from is never built when a build arg overrides it.</summary>
    [Fact]
    public async Task TestSourceDateEpochStageOverride()
    {
        using var h = new BuildHarness();
        var image = await BuildAsync(h, "ARG SOURCE_DATE_EPOCH=mysource\nFROM scratch AS mysource\nADD http://127.0.0.1:1/src.tar /\nFROM scratch\nCOPY Dockerfile .\n",
            Epoch("1700000502"));
        Assert.Equal(1700000502, await CopiedMTimeAsync(image));
        Assert.Equal(1700000502, image.Config.Created!.Value.ToUnixTimeSeconds());
    }

    /// <summary>
    /// BuildKit's cases with the offline busybox image for debian: the same digest again after a build without
    /// cache, the base's layers and history times untouched, new layers' times clamped to the epoch (older ones
    /// kept). BuildKit's expected digests are of its own compressor's bytes and a registry image, so they are not
    /// compared; its cache export is outside Tabula.
    /// </summary>
    [Fact]
    public async Task TestReproSourceDateEpoch()
    {
        var ct = TestContext.Current.CancellationToken;
        using var fixture = await Integration.RunFixture.CreateAsync(ct);
        const long tm = 1673354096; // 2023-01-10T12:34:56Z
        var cases = new (string Name, string Dockerfile)[]
        {
            ("basic", """
                FROM busybox
                RUN touch /foo
                RUN touch /foo.1
                RUN touch -d '2010-01-01 12:34:56' /foo-2010
                RUN touch -d '2010-01-01 12:34:56' /foo-2010.1
                RUN touch -d '2030-01-01 12:34:56' /foo-2030
                RUN touch -d '2030-01-01 12:34:56' /foo-2030.1
                RUN rm -f /foo.1
                RUN rm -f /foo-2010.1
                RUN rm -f /foo-2030.1
                """),
            ("copylink", "FROM busybox\nCOPY --link foo foo\n"),
            ("noadditionallayer", "FROM busybox\n"),
        };
        var baseImage = await BusyboxBuild.LoadAsync(fixture, Integration.RunFixture.BaseImage);
        foreach (var (name, dockerfile) in cases)
        {
            var context = fixture.Context("repro-" + name, BusyboxBuild.WithBase(dockerfile), ("foo", "foo"));
            string[] build = ["build", "--build-arg", $"SOURCE_DATE_EPOCH={tm}", "--platform", "linux/amd64", "-q", "-t", "repro-" + name + ":1", context];
            var first = await fixture.TabulaAsync(ct, build);
            Assert.True(first.Code == 0, first.Err);
            var second = await fixture.TabulaAsync(ct, [.. build.SkipLast(1), "--no-cache", context]);
            Assert.True(second.Code == 0, second.Err);
            Assert.Equal(first.Out, second.Out);

            var image = await BusyboxBuild.LoadAsync(fixture, "repro-" + name + ":1");
            Assert.Equal(baseImage.Layers.Select(l => l.Digest), image.Layers.Take(baseImage.Layers.Count).Select(l => l.Digest));
            Assert.Equal(baseImage.Config.History!.Select(h => h.Created), image.Config.History!.Take(baseImage.Config.History!.Count).Select(h => h.Created));
            var added = new List<LayerContents.Row>();
            foreach (var layer in image.Layers.Skip(baseImage.Layers.Count)) added.AddRange(await LayerContents.ReadAsync(layer));
            Assert.All(added, r => Assert.True(r.MTime <= tm, $"{r.Path} has mtime {r.MTime}, after the epoch"));
            if (name == "basic")
            {
                Assert.Equal(tm, added.Last(r => r.Path == "foo").MTime);
                Assert.Equal(new DateTimeOffset(2010, 1, 1, 12, 34, 56, TimeSpan.Zero).ToUnixTimeSeconds(), added.Last(r => r.Path == "foo-2010").MTime);
                Assert.Equal(tm, added.Last(r => r.Path == "foo-2030").MTime);
                Assert.Contains(added, r => r.Path == ".wh.foo-2030.1");
            }
        }
    }
}
