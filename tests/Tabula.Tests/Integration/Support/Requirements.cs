using System.Diagnostics.CodeAnalysis;

namespace Tabula.Tests.Integration.Support;

/// <summary>
/// Gates for tests that need a real component (a tool, the docker daemon, root, shared test data).
/// A developer without the component sees the test skipped with the reason; CI, which sets
/// <c>TABULA_REQUIRE_INTEGRATION=1</c> after installing everything, sees it fail instead, so a
/// broken setup cannot pass as a run of skips.
/// </summary>
public static class Requirements
{
    public const string RequireVariable = "TABULA_REQUIRE_INTEGRATION";

    public static bool IntegrationRequired => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>The full path of an executable found on PATH.</summary>
    public static string Tool(string name, string? package = null)
    {
        var path = ExecutableSearch.Find(name);
        if (path is null)
            Unmet($"`{name}` is not on PATH (apt-get install {package ?? name})");
        return path;
    }

    /// <summary>The running docker daemon's version, as its API reports it.</summary>
    public static async Task<string> DockerDaemonAsync(CancellationToken cancellationToken)
    {
        var docker = Tool("docker", "docker.io");
        var version = await ProcessRunner.RunAsync(
            docker, ["version", "--format", "{{.Server.Version}}"], cancellationToken,
            new ProcessOptions { Timeout = TimeSpan.FromSeconds(30) });
        if (!version.Succeeded || version.StandardOutput.Trim().Length == 0)
            Unmet($"the docker daemon does not answer (start dockerd as root): {version.StandardError.Trim()}");
        return version.StandardOutput.Trim();
    }

    public static void Root()
    {
        if (!Environment.IsPrivilegedProcess)
            Unmet("the test needs root");
    }

    /// <summary>A file or directory under the shared folder beside the repository (<c>../shared</c>).</summary>
    public static string SharedData(string relativePath)
    {
        var path = Path.Combine(RepositoryPaths.Shared, relativePath);
        if (!File.Exists(path) && !Directory.Exists(path))
            Unmet($"shared test data `{relativePath}` is not at {RepositoryPaths.Shared}");
        return path;
    }

    /// <summary>
    /// A static arm64 busybox executable (Debian's busybox-static:arm64, as <c>.ci/run</c> fetches it) named by
    /// <c>TABULA_ARM64_BUSYBOX</c>, and a binfmt_misc emulator that runs it in a container.
    /// </summary>
    public static string Arm64Busybox()
    {
        var path = Environment.GetEnvironmentVariable("TABULA_ARM64_BUSYBOX");
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
            Unmet("TABULA_ARM64_BUSYBOX does not name a static arm64 busybox (apt-get download busybox-static:arm64, then dpkg-deb -x it; .ci/run does)");
        try
        {
            Tabula.Runtime.BinfmtEmulation.EnsureCanRun(Tabula.Oci.Platform.Parse("linux/arm64"), Tabula.Oci.Platform.Host);
        }
        catch (Tabula.Runtime.EmulationUnavailableException e)
        {
            Unmet(e.Message);
        }
        return path;
    }

    /// <summary>Skips the test, or fails it when integration is required.</summary>
    [DoesNotReturn]
    public static void Unmet(string reason) => Unmet(reason, IntegrationRequired);

    [DoesNotReturn]
    internal static void Unmet(string reason, bool required)
    {
        if (required)
            Assert.Fail($"{reason} ({RequireVariable}=1, so a missing component is a failure)");
        Assert.Skip(reason);
    }
}
