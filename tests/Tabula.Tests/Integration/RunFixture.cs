using Tabula.Cli;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// A fresh store holding the busybox fixture as an image (<c>FROM scratch</c> + <c>ADD rootfs.tar.gz /</c>, built by
/// tabula itself), and the in-process command line over that store, for the tests of RUN and <c>tabula run</c>.
/// </summary>
internal sealed class RunFixture : IDisposable
{
    public const string BaseImage = "busybox-fixture:latest";

    private RunFixture(TempDir temp, string store)
    {
        Temp = temp;
        Store = store;
    }

    public TempDir Temp { get; }
    public string Store { get; }

    /// <summary>Gates on root and runc, then builds the base image into a new store.</summary>
    public static async Task<RunFixture> CreateAsync(CancellationToken cancellationToken)
    {
        Requirements.Root();
        Requirements.Tool("runc");
        var temp = new TempDir("run");
        try
        {
            var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), cancellationToken);
            var context = await ScratchContext.CreateAsync(temp.Combine("base-context"), rootfs, TarCompression.Gzip, cancellationToken);
            var fixture = new RunFixture(temp, temp.CreateDirectory("store"));
            var (code, _, error) = await fixture.TabulaAsync(cancellationToken, "build", "-q", "-t", BaseImage, context);
            Assert.True(code == 0, error);
            return fixture;
        }
        catch
        {
            temp.Dispose();
            throw;
        }
    }

    public async Task<(int Code, string Out, string Err)> TabulaAsync(CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CliApp.RunAsync(["--root", Store, .. args], output, error, ProgramEnvironment, cancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// What the CLI sees of the environment: PATH only (to find runc), so that a SOURCE_DATE_EPOCH, TABULA_SNAPSHOTTER
    /// or registry setting of the machine running the tests cannot change what they build.
    /// </summary>
    private static string? ProgramEnvironment(string name) => name == "PATH" ? Environment.GetEnvironmentVariable("PATH") : null;

    /// <summary>A file of an image, as <c>tabula run --rm IMAGE cat PATH</c> prints it.</summary>
    public async Task<string> CatAsync(string image, string path, CancellationToken cancellationToken)
    {
        var (code, output, error) = await TabulaAsync(cancellationToken, "run", "--rm", image, "cat", path);
        Assert.True(code == 0, error);
        return output;
    }

    /// <summary>Builds <paramref name="context"/> as <paramref name="tag"/> (extra <c>build</c> options first) and fails the test with tabula's error if it fails.</summary>
    public async Task BuildAsync(string context, string tag, CancellationToken cancellationToken, params string[] options)
    {
        var (code, _, error) = await TabulaAsync(cancellationToken, ["build", "-q", .. options, "-t", tag, context]);
        Assert.True(code == 0, error);
    }

    /// <summary>Loads the base image into docker under a tag of the caller's <paramref name="docker"/> (removed with it), so both builders start from the same layers.</summary>
    public async Task<string> ShareBaseWithDockerAsync(Docker docker, CancellationToken cancellationToken)
    {
        var baseTag = docker.NewTag("busybox-fixture");
        Assert.Equal(0, (await TabulaAsync(cancellationToken, "tag", BaseImage, baseTag)).Code);
        var archive = Temp.Combine("base-for-docker.tar");
        Assert.Equal(0, (await TabulaAsync(cancellationToken, "save", "-o", archive, baseTag)).Code);
        await docker.LoadAsync(archive, cancellationToken);
        return baseTag;
    }

    /// <summary>Writes a build context folder with the given Dockerfile and files.</summary>
    public string Context(string name, string dockerfile, params (string Path, string Text)[] files)
    {
        var directory = Temp.CreateDirectory(name);
        File.WriteAllText(Path.Combine(directory, "Dockerfile"), dockerfile);
        foreach (var (path, text) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(directory, path))!);
            File.WriteAllText(Path.Combine(directory, path), text);
        }
        return directory;
    }

    public void Dispose() => Temp.Dispose();
}
