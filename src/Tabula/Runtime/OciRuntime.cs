using System.Diagnostics;

namespace Tabula.Runtime;

/// <summary>
/// An OCI runtime binary (runc by default; crun takes the same commands): <c>run --bundle DIR ID</c> in the
/// foreground with the process's stdio passed through, the exit status returned as is, and the container
/// killed and deleted when the run is cancelled. With a <see cref="StateRoot"/> (rootless: the default under /run
/// is root's), every command names it with <c>--root</c>.
/// </summary>
internal sealed class OciRuntime(string path, string? stateRoot = null)
{
    public string Path { get; } = path;

    public string? StateRoot { get; } = stateRoot;

    /// <summary>The same runtime keeping its container state in <paramref name="directory"/>.</summary>
    public OciRuntime WithStateRoot(string directory) => new(Path, directory);

    /// <summary>The runtime named (a path, or a program name searched on PATH); runc when none is named.</summary>
    public static OciRuntime Find(string? nameOrPath, Func<string, string?>? environment = null)
    {
        string name = string.IsNullOrEmpty(nameOrPath) ? "runc" : nameOrPath;
        if (name.Contains('/'))
            return File.Exists(name) ? new OciRuntime(System.IO.Path.GetFullPath(name)) : throw new FileNotFoundException($"the OCI runtime {name} does not exist", name);
        var searchPath = (environment ?? Environment.GetEnvironmentVariable)("PATH") is { Length: > 0 } p ? p : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var directory in searchPath.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(directory, name);
            if (File.Exists(candidate)) return new OciRuntime(candidate);
        }
        throw new FileNotFoundException($"the OCI runtime '{name}' is not on PATH: install runc (apt-get install runc) or name one with --runtime PATH", name);
    }

    /// <summary>
    /// Runs the bundle's container. <paramref name="stdout"/> and <paramref name="stderr"/> receive the container's
    /// output (null: the output goes straight to this process's own); stdin is this process's own when
    /// <paramref name="attachStdin"/> is set, else empty.
    /// </summary>
    public async Task<int> RunAsync(string bundleDirectory, string id, Stream? stdout, Stream? stderr, bool attachStdin, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Path)
        {
            UseShellExecute = false,
            RedirectStandardInput = !attachStdin,
            RedirectStandardOutput = stdout is not null,
            RedirectStandardError = stderr is not null,
        };
        foreach (var argument in Arguments("run", "--bundle", bundleDirectory, id)) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new IOException($"could not start {Path}");
        if (!attachStdin) process.StandardInput.Close();
        var pumps = new List<Task>();
        if (stdout is not null) pumps.Add(process.StandardOutput.BaseStream.CopyToAsync(stdout, CancellationToken.None));
        if (stderr is not null) pumps.Add(process.StandardError.BaseStream.CopyToAsync(stderr, CancellationToken.None));
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(pumps).ConfigureAwait(false);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await ForceDeleteAsync(id).ConfigureAwait(false);
            // The runtime may have exited between the delete and this kill: then there is nothing left to kill.
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (process.HasExited && !cancellationToken.IsCancellationRequested) await ForceDeleteAsync(id).ConfigureAwait(false);
        }
    }

    /// <summary><c>runc delete -f ID</c>: kills the container if it still runs and removes its state; a container already gone is fine.</summary>
    public async Task ForceDeleteAsync(string id)
    {
        var start = new ProcessStartInfo(Path) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in Arguments("delete", "-f", id)) start.ArgumentList.Add(argument);
        using var process = Process.Start(start);
        if (process is null) return;
        var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        await drain.ConfigureAwait(false);
    }

    private string[] Arguments(params string[] command) => StateRoot is null ? command : ["--root", StateRoot, .. command];
}
