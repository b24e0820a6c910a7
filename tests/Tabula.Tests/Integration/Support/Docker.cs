namespace Tabula.Tests.Integration.Support;

/// <summary>
/// Thin helpers over the docker CLI for one test. Tags come from <see cref="NewTag"/>, unique per
/// call so tests running in parallel never touch each other's images; every image this instance
/// names is removed on dispose.
/// </summary>
public sealed class Docker : IAsyncDisposable
{
    private readonly string _docker;
    private readonly List<string> _owned = [];

    private Docker(string docker) => _docker = docker;

    /// <summary>Checks that the daemon answers (see <see cref="Requirements"/>) and returns the helpers.</summary>
    public static async Task<Docker> ConnectAsync(CancellationToken cancellationToken)
    {
        await Requirements.DockerDaemonAsync(cancellationToken);
        return new Docker(Requirements.Tool("docker", "docker.io"));
    }

    /// <summary>A new <c>tabula-test/PURPOSE:RANDOM</c> tag, removed on dispose.</summary>
    public string NewTag(string purpose = "image")
    {
        var repository = new string(purpose.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
        var tag = $"tabula-test/{repository}:{Guid.NewGuid():N}";
        Own(tag);
        return tag;
    }

    /// <summary>Removes <paramref name="image"/> on dispose too (for names an archive brings in).</summary>
    public void Own(string image) => _owned.Add(image);

    /// <summary><c>docker load -i</c>; returns what it loaded (tags, or image ids for untagged images).</summary>
    public async Task<IReadOnlyList<string>> LoadAsync(string archivePath, CancellationToken cancellationToken)
    {
        var result = await CheckedAsync(["load", "-i", archivePath], cancellationToken);
        string[] prefixes = ["Loaded image: ", "Loaded image ID: "];
        return result.StandardOutput.Split('\n')
            .SelectMany(line => prefixes.Where(line.StartsWith).Select(prefix => line[prefix.Length..].Trim()))
            .ToList();
    }

    /// <summary><c>docker run --rm --network none IMAGE ARGS…</c>; the result whatever the exit code.</summary>
    public Task<ProcessResult> RunAsync(string image, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync(_docker, ["run", "--rm", "--network", "none", image, .. arguments], cancellationToken);

    /// <summary><c>docker save -o PATH IMAGE</c>.</summary>
    public Task SaveAsync(string image, string archivePath, CancellationToken cancellationToken) =>
        SaveAsync([image], archivePath, cancellationToken);

    /// <summary><c>docker save -o PATH IMAGE…</c>: several images in one archive.</summary>
    public Task SaveAsync(IEnumerable<string> images, string archivePath, CancellationToken cancellationToken) =>
        CheckedAsync(["save", "-o", archivePath, .. images], cancellationToken);

    /// <summary><c>docker tag SOURCE TARGET</c>; <paramref name="target"/> is removed on dispose.</summary>
    public Task TagAsync(string source, string target, CancellationToken cancellationToken)
    {
        Own(target);
        return CheckedAsync(["tag", source, target], cancellationToken);
    }

    /// <summary>
    /// Builds with the legacy builder (<c>DOCKER_BUILDKIT=0 docker build --no-cache</c>), the reference our
    /// layers are compared with; tags it <paramref name="tag"/> (removed on dispose) and returns the image id.
    /// </summary>
    public Task<string> BuildLegacyAsync(string contextDirectory, string tag, CancellationToken cancellationToken) =>
        BuildLegacyAsync(contextDirectory, tag, [], cancellationToken);

    /// <summary>
    /// <see cref="BuildLegacyAsync(string, string, CancellationToken)"/> with more <c>docker build</c> options, e.g.
    /// <c>--network host</c> for RUN steps that download (a daemon started with <c>--bridge=none</c> has no other network).
    /// </summary>
    public async Task<string> BuildLegacyAsync(
        string contextDirectory, string tag, IReadOnlyList<string> options, CancellationToken cancellationToken)
    {
        Own(tag);
        var legacyBuilder = new ProcessOptions { Environment = new Dictionary<string, string?> { ["DOCKER_BUILDKIT"] = "0" } };
        await CheckedAsync(["build", "--no-cache", "--tag", tag, .. options, contextDirectory], cancellationToken, legacyBuilder);
        return await InspectAsync(tag, "{{.Id}}", cancellationToken);
    }

    /// <summary><c>docker image inspect --format FORMAT IMAGE</c>, trimmed.</summary>
    public async Task<string> InspectAsync(string image, string format, CancellationToken cancellationToken) =>
        (await CheckedAsync(["image", "inspect", "--format", format, image], cancellationToken)).StandardOutput.Trim();

    /// <summary>Any docker command that must succeed; its standard output.</summary>
    public async Task<string> OutputAsync(IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        (await CheckedAsync([.. arguments], cancellationToken)).StandardOutput;

    /// <summary><c>docker rmi --force</c>; an image that is already gone is not an error.</summary>
    public async Task RemoveImageAsync(string image, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(_docker, ["rmi", "--force", image], cancellationToken);
        if (!result.Succeeded && !result.StandardError.Contains("No such image", StringComparison.OrdinalIgnoreCase))
            result.EnsureSuccess();
    }

    public async ValueTask DisposeAsync()
    {
        // Best effort, and even after the test was cancelled: a failed cleanup must not hide the
        // test's own outcome, so results are not checked and the test's token is not used.
        foreach (var image in _owned.Distinct())
            await ProcessRunner.RunAsync(_docker, ["rmi", "--force", image], CancellationToken.None);
    }

    private Task<ProcessResult> CheckedAsync(
        IEnumerable<string> arguments, CancellationToken cancellationToken, ProcessOptions? options = null) =>
        ProcessRunner.RunCheckedAsync(_docker, arguments, cancellationToken, options);
}
