using System.ComponentModel;
using System.Diagnostics;
using Tabula.Layers;

namespace Tabula.Runtime.Snapshots;

/// <summary>
/// Whether RUN and <c>tabula run</c> can use an overlay of snapshots here: overlayfs in the kernel, and the store on a
/// filesystem that can hold an upper directory (not overlayfs itself, for one). Asked once per command by mounting a
/// tiny overlay in a folder of its own for a moment: as root directly; as a normal user inside a new user and mount
/// namespace (<c>unshare</c>), with <c>userxattr</c> as the runtime will mount it (Linux 5.11 and later allow that),
/// over a lower directory holding a whiteout the user made (Linux 5.8 and later allow that).
/// </summary>
internal static class OverlaySupport
{
    internal const string ProbeMountPoint = "probe-merged";

    /// <summary>Null when overlays work here, else why not (for the fallback's note and for a forced <see cref="Snapshotter.Overlay"/>).</summary>
    public static string? Unavailable(SnapshotStore store, ContainerPrivileges privileges)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(privileges);
        string filesystems;
        try { filesystems = File.ReadAllText("/proc/filesystems"); }
        catch (IOException e) { return "cannot read /proc/filesystems: " + e.Message; }
        if (!filesystems.Contains("\toverlay\n", StringComparison.Ordinal))
            return "this kernel has no overlayfs (modprobe overlay)";
        using var probe = store.Active.Create("probe");
        string lower = Path.Combine(probe.Path, "lower"), upper = Path.Combine(probe.Path, "upper"), work = Path.Combine(probe.Path, "work");
        string merged = Path.Combine(probe.Path, ProbeMountPoint);
        foreach (var directory in new[] { lower, upper, work, merged }) Directory.CreateDirectory(directory);
        if (privileges.Rootless) return InUserNamespace(lower, upper, work, merged);
        try
        {
            Posix.Mount("overlay", merged, "overlay", $"lowerdir={lower},upperdir={upper},workdir={work}");
        }
        catch (IOException e)
        {
            return $"overlayfs cannot be mounted on the store's filesystem ({e.Message})";
        }
        Posix.Unmount(merged);
        return null;
    }

    private static string? InUserNamespace(string lower, string upper, string work, string merged)
    {
        try
        {
            Posix.Mknod(Path.Combine(lower, "whiteout"), Posix.TypeCharacter, 0, 0, 0);
        }
        catch (IOException e)
        {
            return $"this kernel does not let a normal user make overlay whiteouts ({e.Message}; Linux 5.8 or later does)";
        }
        var start = new ProcessStartInfo("unshare") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "--user", "--map-root-user", "--mount", "mount", "-t", "overlay", "overlay", "-o", string.Join(',', OverlayRoot.OptionsFor([lower], upper, work, inUserNamespace: true)), merged })
            start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start) ?? throw new IOException("unshare did not start");
            var error = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            // The mount goes with the namespace as unshare exits.
            return process.ExitCode == 0
                ? null
                : $"overlayfs cannot be mounted in a user namespace here ({error.GetAwaiter().GetResult().Trim().ReplaceLineEndings(" ")}; Linux 5.11 or later allows it)";
        }
        catch (Win32Exception e)
        {
            return $"cannot try an overlay in a user namespace: unshare (util-linux) could not be run ({e.Message})";
        }
    }
}
