using System.Diagnostics;
using System.Text.Json;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// The <c>tabula</c> program, as a process of its own, interrupted while a container runs: SIGTERM, SIGINT and
/// SIGHUP during a RUN that holds a secret, and SIGTERM during <c>tabula run</c>, leave no container, no work
/// folder and no copy of the secret, with the shell's exit code for the signal; after a kill -9 (which nothing can
/// catch) the next command reaps what was left.
/// </summary>
public sealed class RunSignalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("INT", 130)]
    [InlineData("HUP", 129)]
    public async Task A_signal_during_a_run_step_stops_its_container_and_removes_its_secret(string signal, int exitCode)
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var secrets = SecretCopies();
        var (process, _) = await StartAtMarkerAsync(fixture, BuildArguments(fixture));

        await SendAsync(signal, process.Id);
        await process.WaitForExitAsync(Ct);

        Assert.Equal(exitCode, process.ExitCode);
        await AssertNothingLeftAsync(fixture, secrets);
    }

    [Fact]
    public async Task SIGINT_during_a_two_platform_build_stops_both_platforms_containers()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Temp.Combine("multi");
        // Both platforms' RUNs (arm64's under QEMU) print the marker, then hold their container.
        MultiPlatformBuildTests.WriteContext(context, """
            FROM scratch
            ARG TARGETARCH
            COPY busybox-$TARGETARCH /bin/busybox
            RUN ["/bin/busybox", "sh", "-c", "echo started-$(echo)marker; exec /bin/busybox sleep 60"]
            """);
        var (process, _) = await StartAtMarkerAsync(fixture, ["build", "--progress", "plain", "--platform", "linux/amd64,linux/arm64", "-t", "interrupted:multi", context], markers: 2);
        Assert.Equal(2, (await ContainersOfAsync(fixture.Store)).Count);

        await SendAsync("INT", process.Id);
        await process.WaitForExitAsync(Ct);

        Assert.Equal(130, process.ExitCode);
        await AssertNothingLeftAsync(fixture, SecretCopies());
        var (_, images, _) = await fixture.TabulaAsync(Ct, "images", "-q", "interrupted");
        Assert.Equal("", images);
    }

    [Fact]
    public async Task After_a_kill_9_the_next_command_reaps_the_container_folder_and_secret()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var secrets = SecretCopies();
        var (process, _) = await StartAtMarkerAsync(fixture, BuildArguments(fixture));

        await SendAsync("KILL", process.Id);
        await process.WaitForExitAsync(Ct);
        Assert.NotEmpty(await ContainersOfAsync(fixture.Store)); // what nothing could tidy
        Assert.NotEmpty(Directory.EnumerateDirectories(ActiveFolder(fixture)));

        var (code, output, error) = await fixture.TabulaAsync(Ct, "run", "--rm", RunFixture.BaseImage, "echo", "after");
        Assert.True(code == 0, error);
        Assert.Equal("after\n", output);
        await AssertNothingLeftAsync(fixture, secrets);
    }

    [Fact]
    public async Task SIGTERM_during_tabula_run_deletes_the_container()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var (process, _) = await StartAtMarkerAsync(fixture, ["run", "--rm", RunFixture.BaseImage, "sh", "-c", "echo started-\"\"marker; sleep 60"]);

        await SendAsync("TERM", process.Id);
        await process.WaitForExitAsync(Ct);

        Assert.Equal(143, process.ExitCode);
        await AssertNothingLeftAsync(fixture, SecretCopies());
    }

    private static string[] BuildArguments(RunFixture fixture)
    {
        var secret = fixture.Temp.Combine("token");
        File.WriteAllText(secret, "s3cr3t-value");
        var context = fixture.Context("ctx", $"FROM {RunFixture.BaseImage}\nRUN --mount=type=secret,id=tok,required echo started-\"\"marker && sleep 60\n");
        return ["build", "--no-cache", "--secret", $"id=tok,src={secret}", "-t", "interrupted:1", context];
    }

    /// <summary>Starts <c>tabula --root STORE ARGS</c> and returns once its containers printed <c>started-marker</c> (<paramref name="markers"/> times).</summary>
    private static async Task<(Process Process, Task Drain)> StartAtMarkerAsync(RunFixture fixture, string[] arguments, int markers = 1)
    {
        // Through env(1), which gives SIGINT its default action back before it execs tabula (same pid): a shell runs
        // background jobs with SIGINT ignored, tabula rightly keeps an ignored SIGINT ignored, and the test suite
        // may itself run as such a job.
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--default-signal=INT", Path.Combine(AppContext.BaseDirectory, "tabula"), "--root", fixture.Store, .. arguments])
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("tabula did not start");
        process.StandardInput.Close();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new System.Text.StringBuilder();
        int markersSeen = 0;
        async Task PumpAsync(StreamReader reader)
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
            {
                lock (seen) seen.AppendLine(line);
                if (line.Contains("started-marker", StringComparison.Ordinal) && Interlocked.Increment(ref markersSeen) == markers) started.TrySetResult();
            }
        }
        var drain = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
        var exited = process.WaitForExitAsync(Ct);
        if (await Task.WhenAny(started.Task, exited) != started.Task)
            Assert.Fail($"tabula exited ({process.ExitCode}) before its container started:\n{seen}");
        return (process, drain);
    }

    private static Task SendAsync(string signal, int pid) => ProcessRunner.RunCheckedAsync("kill", ["-s", signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], Ct);

    private static string ActiveFolder(RunFixture fixture) => Path.Combine(fixture.Store, "snapshots", "active");

    private static HashSet<string> SecretCopies()
        => Directory.Exists("/dev/shm") ? [.. Directory.EnumerateFileSystemEntries("/dev/shm", "tabula-secrets-*")] : [];

    private static async Task AssertNothingLeftAsync(RunFixture fixture, HashSet<string> secretsBefore)
    {
        Assert.Empty(await ContainersOfAsync(fixture.Store));
        Assert.Empty(Directory.EnumerateFileSystemEntries(ActiveFolder(fixture)));
        Assert.Empty(SecretCopies().Except(secretsBefore));
        var mounts = await File.ReadAllTextAsync("/proc/self/mounts", Ct);
        Assert.DoesNotContain(fixture.Store, mounts);
    }

    /// <summary>The runc containers whose bundle is in this store.</summary>
    private static async Task<List<string>> ContainersOfAsync(string store)
    {
        var list = await ProcessRunner.RunCheckedAsync(Requirements.Tool("runc"), ["list", "--format", "json"], Ct);
        if (string.IsNullOrWhiteSpace(list.StandardOutput) || list.StandardOutput.Trim() == "null") return [];
        using var json = JsonDocument.Parse(list.StandardOutput);
        return json.RootElement.EnumerateArray()
            .Where(c => c.GetProperty("bundle").GetString()?.StartsWith(store, StringComparison.Ordinal) == true)
            .Select(c => c.GetProperty("id").GetString()!).ToList();
    }
}
