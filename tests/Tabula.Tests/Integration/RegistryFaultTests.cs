using System.Diagnostics;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// Pull and push through <see cref="FaultProxy"/> in front of a real registry, with a 1-second timeout: a silent,
/// dripping, stalling or resetting registry fails within bounded time with one line naming the registry and what
/// stalled, and nothing is named in the store. The bound is generous (proving "does not hang", not speed).
/// </summary>
public class RegistryFaultTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;
    private static readonly TimeSpan DoesNotHang = TimeSpan.FromSeconds(60);

    private static bool IsBlob(string method, string path) => method == "GET" && path.Contains("/blobs/sha256:", StringComparison.Ordinal);

    public static TheoryData<string> PullCases => ["silent", "drip-head", "drip-body", "stall-mid-blob", "reset-mid-blob", "reset-before-answer", "500-everywhere"];

    [Theory]
    [MemberData(nameof(PullCases))]
    public async Task PullFailsInBoundedTimeWithOneClearLine(string name)
    {
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var pusher = new RegistryCliSession();
        var image = await PushRandomImageAsync(pusher, temp, registry.Host);
        await using var proxy = new FaultProxy(registry.Port);
        proxy.Policy = name switch
        {
            "silent" => (_, _) => Fault.Silent,
            "drip-head" => (_, path) => path.Contains("/manifests/", StringComparison.Ordinal) ? Fault.DripHead : Fault.None,
            "drip-body" => (method, path) => IsBlob(method, path) ? Fault.DripBody : Fault.None,
            "stall-mid-blob" => (method, path) => IsBlob(method, path) ? Fault.StallMidBody : Fault.None,
            "reset-mid-blob" => (method, path) => IsBlob(method, path) ? Fault.ResetMidBody : Fault.None,
            "reset-before-answer" => (method, path) => IsBlob(method, path) ? Fault.ResetBeforeHead : Fault.None,
            "500-everywhere" => (_, _) => Fault.Status500,
            _ => throw new ArgumentException(name),
        };
        using var puller = new RegistryCliSession();
        puller.Environment["TABULA_TIMEOUT"] = "1s";
        var clock = Stopwatch.StartNew();
        var (code, _, err) = await puller.RunAsync("pull", $"{proxy.Host}/{image}");
        clock.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: exit {code} after {clock.Elapsed.TotalSeconds:0.0}s: {err.Trim()} [{string.Join(", ", proxy.Applied.Distinct())}] requests: {string.Join(", ", proxy.Requests)}");

        Assert.True(clock.Elapsed < DoesNotHang, $"{name}: pull took {clock.Elapsed}");
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(proxy.Host, err);
        Assert.DoesNotContain("TLS", err);
        string expected = name switch
        {
            "silent" => "did not answer GET /v2/",
            "drip-head" => "/manifests/",
            "drip-body" or "stall-mid-blob" => "stalled after",
            // Each break is resumed with a range request until resumes stop making progress; the time those take
            // counts against the stall timeout, so the last word is either the break or the stall. A reset that
            // comes with the first bytes can discard the headers too (the kernel drops unread data on RST).
            "reset-mid-blob" => "(connection broke|registry stalled) after [0-9]+ bytes|broke the connection before answering GET /v2/.*/blobs/",
            "reset-before-answer" => "broke the connection before answering GET /v2/.*/blobs/sha256:[0-9a-f]{64}: .*Connection reset by peer",
            _ => "500",
        };
        Assert.Matches(expected, err);
        Assert.Equal("", await puller.RunCheckedAsync("images", "-q"));
    }

    [Fact]
    public async Task PushWhoseUploadIsNeverAnsweredFailsInBoundedTime()
    {
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var cli = new RegistryCliSession();
        await BuildRandomImageAsync(cli, temp, "local/random:1");
        await using var proxy = new FaultProxy(registry.Port)
        {
            Policy = (method, path) => method is "PUT" or "PATCH" && path.Contains("/blobs/uploads/", StringComparison.Ordinal) ? Fault.NeverAnswer : Fault.None,
        };
        cli.Environment["TABULA_TIMEOUT"] = "1s";
        var clock = Stopwatch.StartNew();
        var (code, _, err) = await cli.RunAsync("push", "local/random:1", $"{proxy.Host}/fault/push:1");
        clock.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"never-answered PUT: exit {code} after {clock.Elapsed.TotalSeconds:0.0}s: {err.Trim()}");
        Assert.True(clock.Elapsed < DoesNotHang, $"push took {clock.Elapsed}");
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains($"{proxy.Host} did not answer PUT /v2/fault/push/blobs/uploads/", err);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ABlobWhoseConnectionBreaksIsResumedFromWhereItBroke(bool registryIgnoresRanges)
    {
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var pusher = new RegistryCliSession();
        var image = await PushRandomImageAsync(pusher, temp, registry.Host);
        await using var proxy = new FaultProxy(registry.Port) { BodyBytesBeforeFault = 100_000 };
        int blobGets = 0;
        // The first GET of each blob of over 100 kB (only the layer) ends after 100,000 bytes.
        // Ignoring ranges, the registry sends the whole blob again and the bytes already read are skipped.
        var afterwards = registryIgnoresRanges ? Fault.IgnoreRange : Fault.None;
        proxy.Policy = (method, path) => !IsBlob(method, path) ? Fault.None : Interlocked.Increment(ref blobGets) <= 2 ? Fault.CloseMidBody : afterwards;
        using var puller = new RegistryCliSession();
        puller.Environment["TABULA_TIMEOUT"] = "5s";

        await puller.RunCheckedAsync("pull", $"{proxy.Host}/{image}");

        string[] requests;
        lock (proxy.Requests) requests = [.. proxy.Requests];
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join("\n", requests));
        Assert.Contains(requests, r => r.EndsWith("Range: bytes=100000-", StringComparison.Ordinal));
        await puller.RunCheckedAsync("verify");
        Assert.NotEqual("", await puller.RunCheckedAsync("images", "-q"));
    }

    public static TheoryData<string> RecoverableCases => ["503-twice-per-blob", "429-on-the-manifest"];

    [Theory]
    [MemberData(nameof(RecoverableCases))]
    public async Task PullRidesOutRefusalsThatPass(string name)
    {
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var pusher = new RegistryCliSession();
        var image = await PushRandomImageAsync(pusher, temp, registry.Host);
        await using var proxy = new FaultProxy(registry.Port);
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        proxy.Policy = name switch
        {
            "503-twice-per-blob" => (method, path) => IsBlob(method, path) && seen.AddOrUpdate(path, 1, (_, n) => n + 1) <= 2 ? Fault.Status503 : Fault.None,
            "429-on-the-manifest" => (_, path) => path.Contains("/manifests/", StringComparison.Ordinal) && seen.AddOrUpdate(path, 1, (_, n) => n + 1) == 1 ? Fault.Status429 : Fault.None,
            _ => throw new ArgumentException(name),
        };
        using var puller = new RegistryCliSession();
        puller.Environment["TABULA_TIMEOUT"] = "5s";

        await puller.RunCheckedAsync("pull", $"{proxy.Host}/{image}");

        Assert.NotEmpty(proxy.Applied);
        Assert.NotEqual("", await puller.RunCheckedAsync("images", "-q"));
    }

    public static TheoryData<string> BadContentCases => ["corrupt-blob", "longer-content-length"];

    [Theory]
    [MemberData(nameof(BadContentCases))]
    public async Task ABlobWithWrongBytesOrAWrongLengthStoresNothing(string name)
    {
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var pusher = new RegistryCliSession();
        var image = await PushRandomImageAsync(pusher, temp, registry.Host);
        await using var proxy = new FaultProxy(registry.Port);
        var fault = name == "corrupt-blob" ? Fault.CorruptBody : Fault.LongerContentLength;
        proxy.Policy = (method, path) => IsBlob(method, path) ? fault : Fault.None;
        using var puller = new RegistryCliSession();
        puller.Environment["TABULA_TIMEOUT"] = "5s";

        var (code, _, err) = await puller.RunAsync("pull", $"{proxy.Host}/{image}");

        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: exit {code}: {err.Trim()}");
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(name == "corrupt-blob" ? "does not match its digest" : "bytes instead of", err);
        Assert.Contains("nothing was stored", err);
        Assert.Equal("", await puller.RunCheckedAsync("images", "-q"));
    }

    [Fact]
    public async Task AHealthyProxyPassesEverythingThrough()
    {
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir();
        using var pusher = new RegistryCliSession();
        var image = await PushRandomImageAsync(pusher, temp, registry.Host);
        await using var proxy = new FaultProxy(registry.Port);
        using var puller = new RegistryCliSession();
        puller.Environment["TABULA_TIMEOUT"] = "5s";
        await puller.RunCheckedAsync("pull", $"{proxy.Host}/{image}");
        Assert.NotEqual("", await puller.RunCheckedAsync("images", "-q"));
    }

    private static async Task BuildRandomImageAsync(RegistryCliSession cli, TempDir temp, string tag)
    {
        var context = temp.CreateDirectory("context");
        var random = new byte[300_000];
        new Random(10).NextBytes(random);
        await File.WriteAllBytesAsync(Path.Combine(context, "big"), random, Token);
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY big /big\n", Token);
        await cli.RunCheckedAsync("build", "-q", "-t", tag, context);
    }

    /// <summary>Builds an image with a 300 kB incompressible layer and pushes it straight to the registry; returns its repository:tag.</summary>
    private static async Task<string> PushRandomImageAsync(RegistryCliSession cli, TempDir temp, string registryHost)
    {
        await BuildRandomImageAsync(cli, temp, "local/random:1");
        await cli.RunCheckedAsync("push", "local/random:1", $"{registryHost}/fault/random:1");
        return "fault/random:1";
    }
}
