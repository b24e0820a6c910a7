using System.Text.Json;
using Tabula.Cli;
using Tabula.Tests.Integration.Support;
using Tabula.Transports;

namespace Tabula.Tests.Cli.Build;

/// <summary><c>tabula build</c>'s buildx flags through the command line: files written, progress modes, outputs, errors.</summary>
public class BuildFlagsCliTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Hello => RepositoryPaths.Example("hello");

    /// <summary>A COPY context; the epoch fixes created times, so two builds of it give one image ID.</summary>
    private static async Task<string> SmallContextAsync(TempDir dir, TabulaCli cli)
    {
        cli.Environment["SOURCE_DATE_EPOCH"] = "1700000000";
        Directory.CreateDirectory(dir.Combine("ctx"));
        await File.WriteAllTextAsync(dir.Combine("ctx", "Dockerfile"), "FROM scratch\nCOPY a /a\nCOPY b /b\nCMD [\"/a\"]\n", Token);
        await File.WriteAllTextAsync(dir.Combine("ctx", "a"), "a\n", Token);
        await File.WriteAllTextAsync(dir.Combine("ctx", "b"), "b\n", Token);
        return dir.Combine("ctx");
    }

    [Fact]
    public async Task AnUnknownFlagBeforeTheContextIsNamedAndTheContextIsNotBlamed()
    {
        using var temp = new TempDir("flags");
        var cli = new TabulaCli(temp.Combine("store"));
        var context = await SmallContextAsync(temp, cli);

        var bogus = await cli.RunAsync(["build", "--bogus", context], Token);
        Assert.Equal(CliApp.Usage, bogus.ExitCode);
        Assert.Equal(["Error: unknown flag: --bogus", "See 'tabula build --help'."], bogus.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var typo = await cli.RunAsync(["build", "--pussh", context], Token);
        Assert.Equal(CliApp.Usage, typo.ExitCode);
        Assert.StartsWith("Error: unknown flag: --pussh (did you mean '--push'?)\n", typo.StandardError);
        Assert.DoesNotContain(context, typo.StandardError);
    }

    [Fact]
    public async Task IidFileHoldsWhatQuietPrints_MetadataFileWhatTheStoreHas()
    {
        using var temp = new TempDir("flags");
        var cli = new TabulaCli(temp.Combine("store"));
        var context = await SmallContextAsync(temp, cli);
        var quietId = await cli.BuildAsync(context, "meta:1", Token);

        var result = await cli.RunCheckedAsync(["build", "--iidfile", temp.Combine("iid"), "--metadata-file", temp.Combine("meta.json"), "-t", "meta:1", "-t", "reg.example:5000/meta:2", "--load", context], Token);

        Assert.Equal(quietId, await File.ReadAllTextAsync(temp.Combine("iid"), Token)); // no newline, as docker writes it
        Assert.StartsWith("sha256:", quietId);
        Assert.Contains("Successfully tagged reg.example:5000/meta:2", result.StandardOutput);
        var (descriptor, _) = await cli.ReadManifestAsync("meta:1", Token);
        using var inspect = JsonDocument.Parse((await cli.RunCheckedAsync(["inspect", "meta:1"], Token)).StandardOutput);
        using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(temp.Combine("meta.json"), Token));
        var root = metadata.RootElement;
        Assert.Equal(inspect.RootElement[0].GetProperty("Id").GetString(), root.GetProperty("containerimage.config.digest").GetString());
        Assert.Equal(descriptor.Digest.ToString(), root.GetProperty("containerimage.digest").GetString());
        var described = root.GetProperty("containerimage.descriptor");
        Assert.Equal(descriptor.MediaType, described.GetProperty("mediaType").GetString());
        Assert.Equal(descriptor.Digest.ToString(), described.GetProperty("digest").GetString());
        Assert.Equal(new FileInfo(cli.BlobPath(descriptor.Digest)).Length, described.GetProperty("size").GetInt64());
        Assert.Equal("docker.io/library/meta:1,reg.example:5000/meta:2", root.GetProperty("image.name").GetString());
        Assert.Equal(4, root.EnumerateObject().Count());
    }

    [Fact]
    public async Task PlainProgressIsTheClassicLines_QuietOnlyTheId()
    {
        using var temp = new TempDir("flags");
        var cli = new TabulaCli(temp.Combine("store"));
        var context = await SmallContextAsync(temp, cli);

        var plain = await cli.RunCheckedAsync(["build", "--progress=plain", "-t", "p:1", context], Token);
        var lines = plain.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Step 1/4 : FROM scratch", lines[0]);
        Assert.Equal("Step 2/4 : COPY a /a", lines[1]);
        Assert.StartsWith(" ---> layer ", lines[2]);
        Assert.Equal("Successfully tagged p:1", lines[^1]);
        Assert.DoesNotContain('\x1b', plain.StandardOutput);

        var quiet = await cli.RunCheckedAsync(["build", "--progress", "quiet", context], Token);
        var id = Assert.Single(quiet.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(await cli.BuildAsync(context, null, Token), id);

        // BUILDKIT_PROGRESS is the default, as in buildx; a bad value is a usage error naming it.
        cli.Environment["BUILDKIT_PROGRESS"] = "fancy";
        var bad = await cli.RunAsync(["build", context], Token);
        Assert.Equal(CliApp.Usage, bad.ExitCode);
        Assert.Equal("Error: unknown BUILDKIT_PROGRESS 'fancy': use auto, tty, plain, rawjson or quiet\n", bad.StandardError);
    }

    [Fact]
    public async Task RawJsonIsOneEventPerLine()
    {
        using var temp = new TempDir("flags");
        var cli = new TabulaCli(temp.Combine("store"));
        var context = await SmallContextAsync(temp, cli);
        await cli.BuildAsync(context, null, Token);
        await File.WriteAllTextAsync(Path.Combine(context, "b"), "changed\n", Token);

        var result = await cli.RunCheckedAsync(["build", "--progress=rawjson", "-t", "j:1", context], Token);

        var events = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(events, e => Assert.True(DateTimeOffset.TryParse(e.GetProperty("time").GetString(), out _)));
        Assert.Equal(
            ["step.started", "step.finished", "step.started", "step.cached", "step.finished", "step.started", "step.finished", "step.started", "step.finished", "build.finished"],
            events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("COPY a /a", events[2].GetProperty("text").GetString());
        Assert.Equal(4, events[2].GetProperty("steps").GetInt32());
        Assert.Equal(2, events[3].GetProperty("step").GetInt32());
        Assert.Equal(0, events[3].GetProperty("stage").GetInt32());
        Assert.StartsWith("sha256:", events[6].GetProperty("layer").GetString());
        Assert.True(events[6].GetProperty("seconds").GetDouble() >= 0);
        Assert.False(events[1].TryGetProperty("layer", out _)); // FROM makes no layer
        var finished = events[^1];
        var (descriptor, manifest) = await cli.ReadManifestAsync("j:1", Token);
        Assert.Equal(manifest.Config.Digest.ToString(), finished.GetProperty("imageId").GetString());
        Assert.Equal(descriptor.Digest.ToString(), finished.GetProperty("manifest").GetString());
        Assert.Equal(["docker.io/library/j:1"], finished.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
    }

    [Fact]
    public async Task ForcedTtyDrawsFramesAndLeavesTheLastOne()
    {
        using var temp = new TempDir("flags");
        var cli = new TabulaCli(temp.Combine("store"));
        cli.Environment["COLUMNS"] = "50";
        var context = await SmallContextAsync(temp, cli);

        var result = await cli.RunCheckedAsync(["build", "--progress=tty", "-t", "t:1", context], Token);

        Assert.Contains("\x1b[", result.StandardOutput);
        var last = result.StandardOutput[result.StandardOutput.LastIndexOf("[+] Building", StringComparison.Ordinal)..];
        Assert.Matches(@"^\[\+\] Building \d+\.\ds \(4/4\) FINISHED", last);
        Assert.Contains(" => => naming to docker.io/library/t:1", last);
        Assert.All(last.Replace("\x1b[2K", "").Replace("\x1b[J", "").Split('\n'), line => Assert.True(line.TrimStart('\r').Length <= 49, line));
    }

    [Fact]
    public async Task PushWithoutANameAndSeveralOutputsAreUsageErrorsBeforeBuilding()
    {
        using var temp = new TempDir("flags");
        var cli = new TabulaCli(temp.Combine("store"));
        var context = await SmallContextAsync(temp, cli);

        var push = await cli.RunAsync(["build", "--push", context], Token);
        Assert.Equal(CliApp.Usage, push.ExitCode);
        Assert.Equal("Error: --push needs a name to push to: give -t REGISTRY/REPOSITORY[:TAG]\n", push.StandardError);

        var two = await cli.RunAsync(["build", "-o", "a", "-o", "b", context], Token);
        Assert.Equal(CliApp.Usage, two.ExitCode);
        var iid = await cli.RunAsync(["build", "-o", temp.Combine("out"), "--iidfile", temp.Combine("iid"), context], Token);
        Assert.Equal(CliApp.Usage, iid.ExitCode);
        var blobs = Path.Combine(cli.StoreRoot, "blobs");
        Assert.False(Directory.Exists(blobs) && Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories).Any(), "a refused build wrote blobs");
    }

    [Fact]
    public async Task LocalOutputIsTheUnpackedRootfs_TarTheExport_AndTheStoreNamesNothing()
    {
        using var temp = new TempDir("flags");
        var named = new TabulaCli(temp.Combine("named"));
        await named.BuildAsync(Hello, "hello:1", Token);
        await named.RunCheckedAsync(["unpack", "hello:1", temp.Combine("unpacked")], Token);
        await named.RunCheckedAsync(["export", "-o", temp.Combine("exported.tar"), "hello:1"], Token);

        var cli = new TabulaCli(temp.Combine("store"));
        var local = await cli.RunCheckedAsync(["build", "-t", "hello:1", "-o", temp.Combine("local"), "--metadata-file", temp.Combine("meta.json"), Hello], Token);
        Assert.DoesNotContain("Successfully tagged", local.StandardOutput);
        await cli.RunCheckedAsync(["build", "-o", $"type=tar,dest={temp.Combine("fs.tar")}", Hello], Token);

        Assert.Equal(Tree(temp.Combine("unpacked")), Tree(temp.Combine("local")));
        Assert.Equal(await File.ReadAllBytesAsync(temp.Combine("exported.tar"), Token), await File.ReadAllBytesAsync(temp.Combine("fs.tar"), Token));
        Assert.Equal("", (await cli.RunCheckedAsync(["images", "-q"], Token)).StandardOutput);
        Assert.Equal("{}", (await File.ReadAllTextAsync(temp.Combine("meta.json"), Token)).Trim());
        // The layers stay as build cache: a second build is all hits.
        var again = await cli.RunCheckedAsync(["build", "--progress=plain", "-o", temp.Combine("local2"), Hello], Token);
        Assert.Contains(" ---> Using cache", again.StandardOutput);

        var notEmpty = await cli.RunAsync(["build", "-o", temp.Combine("local"), Hello], Token);
        Assert.Equal(CliApp.Usage, notEmpty.ExitCode);
        Assert.Contains("not empty", notEmpty.StandardError);
    }

    /// <summary>Every path under a folder with its type, permission bits and content (or link target).</summary>
    private static List<string> Tree(string root) => Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
        .Select(path =>
        {
            var info = new FileInfo(path);
            var relative = Path.GetRelativePath(root, path);
            var mode = File.GetUnixFileMode(path);
            if (info.LinkTarget is { } target) return $"{relative} -> {target}";
            if (Directory.Exists(path)) return $"{relative}/ {mode}";
            return $"{relative} {mode} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))}";
        })
        .Order(StringComparer.Ordinal)
        .ToList();

    [Fact]
    public async Task DockerOutputIsNotTaggedInTheStore()
    {
        using var temp = new TempDir("flags");
        var cli = new TabulaCli(temp.Combine("store"));
        var context = await SmallContextAsync(temp, cli);
        await cli.RunCheckedAsync(["build", "-t", "x:1", "-o", $"type=docker,dest={temp.Combine("x.tar")}", context], Token);
        Assert.True(File.Exists(temp.Combine("x.tar")));
        Assert.Equal("", (await cli.RunCheckedAsync(["images", "-q"], Token)).StandardOutput);
        var store = ImageStore.Open(cli.StoreRoot);
        Assert.Empty(await store.Resolver.ListAsync(Token));
    }
}
