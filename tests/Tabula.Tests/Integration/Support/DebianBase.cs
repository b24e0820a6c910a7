namespace Tabula.Tests.Integration.Support;

/// <summary>
/// A real distribution base for RUN tests: a <c>debootstrap --variant=minbase bookworm</c> rootfs archive (made by
/// <c>bench/debian-rootfs.sh</c>: CI passes its cached copy in <c>TABULA_DEBIAN_ROOTFS</c>, a developer who ran
/// <c>bench/fixtures.sh</c> has it as the bench's large fixture), and the Debian mirror this machine's apt uses
/// (<c>TABULA_DEBIAN_MIRROR</c>, else what <c>bench/debian-mirror.sh</c> finds), for steps that install packages.
/// </summary>
public static class DebianBase
{
    public const string RootfsVariable = "TABULA_DEBIAN_ROOTFS";
    public const string MirrorVariable = "TABULA_DEBIAN_MIRROR";

    /// <summary>The suite of the rootfs: packages are installed from the mirror's bookworm, whatever the host runs.</summary>
    public const string Suite = "bookworm";

    /// <summary>The rootfs archive (a gzip tar); skips, or fails when integration is required, when there is none.</summary>
    public static string Rootfs()
    {
        var configured = Environment.GetEnvironmentVariable(RootfsVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            if (!File.Exists(configured))
                Requirements.Unmet($"{RootfsVariable}={configured}, which is not a file (make it with bench/debian-rootfs.sh)");
            return Path.GetFullPath(configured);
        }
        var benchFixture = Path.Combine(RepositoryPaths.Root, "bench", "fixtures", "large", "rootfs.tgz");
        if (!File.Exists(benchFixture))
            Requirements.Unmet($"no Debian rootfs: set {RootfsVariable} to a debootstrap minbase archive (bench/debian-rootfs.sh OUT.tgz) or run bench/fixtures.sh");
        return benchFixture;
    }

    /// <summary>
    /// The mirror's URL (no trailing slash), checked by fetching its <c>dists/bookworm/InRelease</c>. A mirror that
    /// cannot be found or reached skips the test even when integration is required: the network outside the machine
    /// is not a component CI installs.
    /// </summary>
    public static async Task<string> ReachableMirrorAsync(CancellationToken cancellationToken)
    {
        var mirror = Environment.GetEnvironmentVariable(MirrorVariable);
        if (string.IsNullOrEmpty(mirror))
        {
            var script = Path.Combine(RepositoryPaths.Root, "bench", "debian-mirror.sh");
            var found = await ProcessRunner.RunAsync(Requirements.Tool("bash"), [script], cancellationToken,
                new ProcessOptions { Timeout = TimeSpan.FromSeconds(30) });
            if (!found.Succeeded)
                Assert.Skip($"no Debian mirror to install packages from: {found.StandardError.Trim()} (or set {MirrorVariable})");
            mirror = found.StandardOutput.Trim();
        }
        mirror = mirror.TrimEnd('/');
        if (mirror.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
            Assert.Skip($"the Debian mirror {mirror} is https, and a minbase system has no CA certificates to check it with (set {MirrorVariable} to an http mirror)");

        var release = $"{mirror}/dists/{Suite}/InRelease";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        try
        {
            using var response = await http.GetAsync(release, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
                Assert.Skip($"the Debian mirror does not serve {release}: HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Assert.Skip($"the Debian mirror cannot be reached ({release}): {e.Message}");
        }
        return mirror;
    }

    /// <summary>An apt sources line for the mirror, as <c>/etc/apt/sources.list</c> takes it.</summary>
    public static string SourcesList(string mirror) => $"deb {mirror} {Suite} main\n";
}
