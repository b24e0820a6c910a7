using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// The self-image: deploy/build-image.sh publishes tabula (Native AOT: the slow part, 1-2 minutes on two cores), lays
/// out what it needs to run, and has tabula build its own image; docker loads it and runs it.
/// </summary>
public sealed class SelfImageTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TabulaBuildsItsOwnImageWhichDockerRunsAndWhichBuildsImages()
    {
        await using var docker = await Docker.ConnectAsync(Token);
        var sh = Requirements.Tool("sh", "dash");
        Requirements.Tool("dotnet");
        Requirements.Tool("ldd", "libc-bin");
        using var temp = new TempDir("self-image");
        var tag = docker.NewTag("self-image");
        var archive = temp.Combine("self.tar");
        List<string> arguments = [Path.Combine(RepositoryPaths.Root, "deploy", "build-image.sh"), "-t", tag, "--save", archive];
        // glibc from the Debian fixture where there is one (it has no libssl or CA certificates: the script takes those from this machine).
        if (Environment.GetEnvironmentVariable("TABULA_DEBIAN_ROOTFS") is { Length: > 0 } rootfs && File.Exists(rootfs))
            arguments.AddRange(["--base-rootfs", rootfs]);
        var built = await ProcessRunner.RunAsync(sh, arguments, Token, new ProcessOptions
        {
            Environment = new Dictionary<string, string?> { ["TABULA_ROOT"] = temp.Combine("store") },
            Timeout = TimeSpan.FromMinutes(20),
        });
        built.EnsureSuccess();

        Assert.Equal([tag], await docker.LoadAsync(archive, Token));
        // The version of this build, from the commit the script published (HEAD: the tests' own binary may be older).
        var ours = (await ProcessRunner.RunCheckedAsync(Path.Combine(AppContext.BaseDirectory, "tabula"), ["--version"], Token)).StandardOutput;
        var head = (await ProcessRunner.RunCheckedAsync(Requirements.Tool("git"), ["-C", RepositoryPaths.Root, "rev-parse", "HEAD"], Token)).StandardOutput.Trim();
        var version = await docker.RunAsync(tag, ["--version"], Token);
        Assert.True(version.Succeeded, version.StandardError);
        Assert.Equal($"{ours.Split('+')[0].Trim()}+{head}\n", version.StandardOutput);
        Assert.InRange(long.Parse(await docker.InspectAsync(tag, "{{.Size}}", Token), System.Globalization.CultureInfo.InvariantCulture), 1, 60_000_000);

        // It works, not only starts: a build inside it hashes with .NET's OpenSSL shim, which loads libssl.so.3 by name,
        // and makes the very image tabula on this machine makes.
        var context = temp.CreateDirectory("context");
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY hello /hello\n", Token);
        await File.WriteAllTextAsync(Path.Combine(context, "hello"), "hi\n", Token);
        var id = await docker.OutputAsync(["run", "--rm", "--network", "none", "-v", $"{context}:/ctx:ro", tag, "build", "-q", "--timestamp", "0", "/ctx"], Token);
        Assert.Matches("^sha256:[0-9a-f]{64}$", id.Trim());
        var expectedId = await new TabulaCli(temp.Combine("host-store")).BuildAsync(context, null, Token, "--timestamp", "0");
        Assert.Equal(expectedId, id.Trim());
    }
}
