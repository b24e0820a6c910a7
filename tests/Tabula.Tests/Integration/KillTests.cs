using System.Diagnostics;
using Tabula.Cli;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// kill -9 of the <c>tabula</c> program at spread instants of <c>build</c>, <c>load</c>, <c>save</c> and <c>pull</c>,
/// into a fresh store and into one that already holds an image: every time, the store is a valid OCI layout
/// (umoci lists it, <c>tabula verify</c> finds every referenced blob whole), a half-written archive never appears
/// under its name, and the same command run again succeeds. The instants are fixed (no timing is asserted): they
/// fall before, during and after the work on any machine, and each trial is checked whatever it hit.
/// </summary>
public sealed class KillTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly int[] DelaysMilliseconds = [0, 120, 250, 450, 800];

    [Fact]
    public async Task A_kill_at_any_instant_leaves_a_valid_store_and_the_command_runs_again()
    {
        var umoci = Requirements.Tool("umoci");
        await using var registry = await RegistryServer.StartAsync(Ct);
        using var temp = new TempDir("kill");
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Ct);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Ct);
        var source = temp.Combine("source");
        Assert.Equal(0, await InProcessAsync(source, "build", "-q", "-t", "base:1", context));
        var archive = temp.Combine("base.tar");
        Assert.Equal(0, await InProcessAsync(source, "save", "-o", archive, "base:1"));
        var remote = $"{registry.Host}/tabula/kill:1";
        Assert.Equal(0, await InProcessAsync(source, "push", "base:1", remote));

        (string Name, Func<string, string[]> Arguments)[] commands =
        [
            ("build", _ => ["build", "-t", "killed:1", context]),
            ("load", _ => ["load", "-i", archive]),
            ("save", store => ["save", "-o", Path.Combine(store, "..", Path.GetFileName(store) + "-out.tar"), "base:1"]),
            ("pull", _ => ["pull", remote]),
        ];
        int trial = 0, killed = 0;
        foreach (var (name, arguments) in commands)
        {
            foreach (bool populated in new[] { false, true })
            {
                foreach (int delay in DelaysMilliseconds)
                {
                    var store = temp.Combine($"store-{trial++}");
                    if (populated || name == "save") Assert.Equal(0, await InProcessAsync(store, "load", "-i", archive));
                    var args = arguments(store);
                    if (await KillAfterAsync(store, args, delay)) killed++;

                    await AssertValidAsync(umoci, store, $"{name} killed after {delay} ms ({(populated ? "populated" : "fresh")} store)");
                    if (name == "save" && File.Exists(args[2]))
                        Assert.Equal(0, await InProcessAsync(temp.Combine($"check-{trial}"), "load", "-i", args[2])); // whole, or absent
                    Assert.Equal(0, await InProcessAsync(store, args));
                    await AssertValidAsync(umoci, store, $"{name} run again after a kill at {delay} ms");
                }
            }
        }
        Assert.True(killed >= trial / 2, $"only {killed} of {trial} trials killed a running command: the delays no longer fall inside the work");
    }

    /// <summary>Starts <c>tabula --root STORE ARGS</c> as a process of its own and kills it (SIGKILL) after <paramref name="delay"/> ms; false when it had finished first.</summary>
    private static async Task<bool> KillAfterAsync(string store, string[] arguments, int delay)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "tabula"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--root", store, .. arguments]) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("tabula did not start");
        process.StandardInput.Close();
        var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(Ct), process.StandardError.ReadToEndAsync(Ct));
        await Task.WhenAny(process.WaitForExitAsync(Ct), Task.Delay(delay, Ct));
        bool running = !process.HasExited;
        if (running) process.Kill();
        await process.WaitForExitAsync(Ct);
        await drain;
        return running;
    }

    /// <summary>Nothing there yet, or a layout umoci reads whose every referenced blob is whole.</summary>
    private static async Task AssertValidAsync(string umoci, string store, string what)
    {
        if (!File.Exists(Path.Combine(store, "oci-layout"))) return;
        Assert.True(File.Exists(Path.Combine(store, "index.json")), $"{what}: oci-layout without index.json");
        var list = await ProcessRunner.RunAsync(umoci, ["ls", "--layout", store], Ct);
        Assert.True(list.Succeeded, $"{what}: umoci ls: {list.StandardError}");
        var verify = new StringWriter();
        Assert.True(await CliApp.RunAsync(["--root", store, "verify"], verify, new StringWriter(), _ => null, Ct) == 0, $"{what}: {verify}");
    }

    private static Task<int> InProcessAsync(string store, params string[] arguments)
        => CliApp.RunAsync(["--root", store, .. arguments], new StringWriter(), new StringWriter(), _ => null, Ct); // loopback registries take plain HTTP
}
