using Tabula.Layers;

namespace Tabula.Runtime.Snapshots;

/// <summary>
/// Whether RUN and <c>tabula run</c> can use an overlay of snapshots here: as root, with overlayfs in the kernel, and
/// with the store on a filesystem that can hold an upper directory (not overlayfs itself, for one). Asked once per
/// command by mounting a tiny overlay in a folder of its own for a moment.
/// </summary>
internal static class OverlaySupport
{
    internal const string ProbeMountPoint = "probe-merged";

    /// <summary>Null when overlays work here, else why not (for the fallback's note and for a forced <see cref="Snapshotter.Overlay"/>).</summary>
    public static string? Unavailable(SnapshotStore store, ContainerPrivileges privileges)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(privileges);
        if (privileges.Rootless) return "rootless containers unpack each step's root filesystem (overlay snapshots need root)";
        string filesystems;
        try { filesystems = File.ReadAllText("/proc/filesystems"); }
        catch (IOException e) { return "cannot read /proc/filesystems: " + e.Message; }
        if (!filesystems.Contains("\toverlay\n", StringComparison.Ordinal))
            return "this kernel has no overlayfs (modprobe overlay)";
        using var probe = store.Active.Create("probe");
        string lower = Path.Combine(probe.Path, "lower"), upper = Path.Combine(probe.Path, "upper"), work = Path.Combine(probe.Path, "work");
        string merged = Path.Combine(probe.Path, ProbeMountPoint);
        foreach (var directory in new[] { lower, upper, work, merged }) Directory.CreateDirectory(directory);
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
}
