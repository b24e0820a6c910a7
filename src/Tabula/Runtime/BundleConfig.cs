using System.Text;
using System.Text.Json;

namespace Tabula.Runtime;

/// <summary>Which network a container gets: the host's (the default for builds, as BuildKit's) or none of its own.</summary>
public enum NetworkMode
{
    Host,
    None,
}

/// <summary>What goes into an OCI runtime bundle's config.json.</summary>
internal sealed record BundleSpec
{
    public required IReadOnlyList<string> Args { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string Cwd { get; init; } = "/";
    public ContainerUser User { get; init; } = ContainerUser.Root;
    public string Hostname { get; init; } = "tabula";
    public NetworkMode Network { get; init; } = NetworkMode.Host;

    /// <summary>A fresh tmpfs on /tmp (for <c>tabula run</c>; builds keep /tmp in the image, as docker build does).</summary>
    public bool TmpfsTmp { get; init; }

    /// <summary>Files bind-mounted into the container: destination inside it → source on the host.</summary>
    public IReadOnlyList<(string Destination, string Source, bool ReadOnly)> BindFiles { get; init; } = [];

    /// <summary>Further mounts, after the bound files, in order.</summary>
    public IReadOnlyList<ContainerMount> Mounts { get; init; } = [];

    /// <summary>Rootless: a user namespace mapping the caller to root (see <see cref="BundleConfig"/>).</summary>
    public ContainerPrivileges Privileges { get; init; } = ContainerPrivileges.Root;

    /// <summary>The root filesystem as an overlay the runtime mounts in the container's own mount namespace; null: <c>rootfs</c> as it is.</summary>
    public OverlayRoot? Overlay { get; init; }

    /// <summary>The /dev/shm size, the process rlimits and the cgroup limits (its extra hosts are in the hosts file the caller writes).</summary>
    public SandboxSettings Sandbox { get; init; } = new();

    /// <summary>The container's cgroup (<c>linux.cgroupsPath</c>); null: the runtime's default, a cgroup named after the container under its own.</summary>
    public string? CgroupsPath { get; init; }

    /// <summary>A cgroup namespace of its own, as BuildKit gives a RUN on cgroup v2: /proc/self/cgroup then shows <c>0::/</c>.</summary>
    public bool CgroupNamespace { get; init; }

    /// <summary><c>RUN --security=insecure</c>: a privileged container; null: the sandbox (docker's defaults).</summary>
    public PrivilegedContainer? Privileged { get; init; }

    /// <summary>Device nodes asked for (<c>RUN --device</c>, CDI), made in /dev and allowed by the device cgroup.</summary>
    public IReadOnlyList<ContainerDevice> Devices { get; init; } = [];
}

/// <summary>
/// An overlayfs root: read-only lower directories (topmost first), the upper directory that takes every change and
/// the kernel's work directory (same filesystem as the upper). Mounted by the runtime inside the container's mount
/// namespace, so it disappears with the container however this process ends.
/// </summary>
/// <param name="InUserNamespace">
/// Mounted by root of a user namespace (rootless): overlayfs then keeps its own xattrs in <c>user.overlay.</c>
/// (<c>userxattr</c>), which is also where the lower snapshots say a directory is opaque.
/// </param>
internal sealed record OverlayRoot(IReadOnlyList<string> LowerDirectories, string UpperDirectory, string WorkDirectory, bool InUserNamespace = false)
{
    /// <summary>
    /// The mount options: no inode index, no redirects and no metacopy, so that the upper directory holds whole files
    /// and whole directories — what a layer needs — and a lower directory renamed by the command is copied (EXDEV).
    /// With <c>userxattr</c> the kernel takes <c>redirect_dir=nofollow</c> only (it reads <c>off</c> as <c>follow</c>
    /// and refuses it there); nofollow makes no redirects either.
    /// </summary>
    public IReadOnlyList<string> Options => OptionsFor(LowerDirectories, UpperDirectory, WorkDirectory, InUserNamespace);

    public static IReadOnlyList<string> OptionsFor(IEnumerable<string> lowerDirectories, string upperDirectory, string workDirectory, bool inUserNamespace) =>
        inUserNamespace
            ? ["lowerdir=" + string.Join(':', lowerDirectories), "upperdir=" + upperDirectory, "workdir=" + workDirectory, "userxattr", "index=off", "redirect_dir=nofollow", "metacopy=off"]
            : ["lowerdir=" + string.Join(':', lowerDirectories), "upperdir=" + upperDirectory, "workdir=" + workDirectory, "index=off", "redirect_dir=off", "metacopy=off"];
}

/// <summary>
/// A mount of the OCI runtime spec: where inside the container, its type (<c>tmpfs</c>, <c>bind</c>), the source
/// and the options; <paramref name="IsFile"/> when a bind mounts a single file (its mount point is a file).
/// </summary>
internal sealed record ContainerMount(string Destination, string Type, string Source, IReadOnlyList<string> Options, bool IsFile = false)
{
    public static ContainerMount Tmpfs(string destination, long? size = null) =>
        new(destination, "tmpfs", "tmpfs", size is { } s ? ["nosuid", "mode=1777", "size=" + s.ToString(System.Globalization.CultureInfo.InvariantCulture)] : ["nosuid", "mode=1777"]);

    public static ContainerMount Bind(string destination, string source, bool readOnly, bool isFile = false) =>
        new(destination, "bind", source, readOnly ? ["rbind", "rprivate", "ro"] : ["rbind", "rprivate"], isFile);
}

/// <summary>
/// Writes config.json (OCI runtime spec 1.0.2) the way <c>runc spec</c> lays out its default, with docker's default
/// capabilities: mount, pid, ipc and uts namespaces (plus network unless the host's is used); /proc, a tmpfs /dev
/// (the runtime adds the standard devices), /dev/pts, /dev/shm, /dev/mqueue, read-only /sys and the container's own
/// cgroup read-only on /sys/fs/cgroup (as BuildKit and docker mount it); the masked and
/// read-only /proc paths of runc's default. Rootless, it follows <c>runc spec --rootless</c>: a user namespace whose
/// only mapping is the caller's uid and gid to 0, no cgroup resources (a normal user may not create cgroups) and
/// /dev/pts without gid=5 (group 5 is not mapped). sysfs still goes on /sys with a network namespace of its own:
/// the user namespace owns that network namespace, so it may mount it.
/// </summary>
internal static class BundleConfig
{
    /// <summary>Docker's default capability set.</summary>
    public static readonly IReadOnlyList<string> DefaultCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    private static readonly string[] MaskedPaths =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
    ];

    private static readonly string[] ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    /// <summary>The mount destinations the runtime needs inside the rootfs (directories, then bind-mounted files).</summary>
    public static IEnumerable<(string Path, bool IsDirectory)> MountPoints(BundleSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var mount in Mounts(spec))
            if (mount.Destination != "/") yield return (mount.Destination, !mount.IsFile);
    }

    public static string Generate(BundleSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("ociVersion", "1.0.2");

            json.WriteStartObject("process");
            json.WriteBoolean("terminal", false);
            json.WriteStartObject("user");
            json.WriteNumber("uid", spec.User.Uid);
            json.WriteNumber("gid", spec.User.Gid);
            if (spec.User.AdditionalGids.Count > 0) WriteNumbers(json, "additionalGids", spec.User.AdditionalGids);
            json.WriteEndObject();
            WriteStrings(json, "args", spec.Args);
            WriteStrings(json, "env", spec.Env);
            json.WriteString("cwd", spec.Cwd);
            json.WriteStartObject("capabilities");
            if (spec.Privileged is { } privileged)
            {
                // As BuildKit's insecure mode: every set, ambient and inheritable too, so that a non-root user keeps them.
                var all = DefaultCapabilities.Union(privileged.Capabilities, StringComparer.Ordinal).ToList();
                foreach (var set in new[] { "bounding", "effective", "inheritable", "permitted", "ambient" }) WriteStrings(json, set, all);
            }
            else
            {
                foreach (var set in new[] { "bounding", "effective", "permitted" }) WriteStrings(json, set, DefaultCapabilities);
            }
            json.WriteEndObject();
            json.WriteBoolean("noNewPrivileges", false);
            if (spec.Sandbox.Ulimits.Count > 0)
            {
                json.WriteStartArray("rlimits");
                foreach (var limit in spec.Sandbox.Ulimits)
                {
                    json.WriteStartObject();
                    json.WriteString("type", limit.Type);
                    json.WriteNumber("hard", limit.Hard);
                    json.WriteNumber("soft", limit.Soft);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();

            json.WriteStartObject("root");
            json.WriteString("path", "rootfs");
            json.WriteBoolean("readonly", false);
            json.WriteEndObject();
            json.WriteString("hostname", spec.Hostname);

            json.WriteStartArray("mounts");
            foreach (var mount in Mounts(spec))
            {
                json.WriteStartObject();
                json.WriteString("destination", mount.Destination);
                json.WriteString("type", mount.Type);
                json.WriteString("source", mount.Source);
                WriteStrings(json, "options", mount.Options);
                json.WriteEndObject();
            }
            json.WriteEndArray();

            json.WriteStartObject("linux");
            json.WriteStartArray("namespaces");
            var namespaces = new List<string> { "pid", "ipc", "uts", "mount" };
            if (spec.Network == NetworkMode.None) namespaces.Add("network");
            if (spec.Privileges.Rootless) namespaces.Add("user");
            if (spec.CgroupNamespace) namespaces.Add("cgroup");
            foreach (var ns in namespaces)
            {
                json.WriteStartObject();
                json.WriteString("type", ns);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (spec.Privileges.Rootless)
            {
                WriteMapping(json, "uidMappings", spec.Privileges.HostUid);
                WriteMapping(json, "gidMappings", spec.Privileges.HostGid);
            }
            else
            {
                if (spec.CgroupsPath is { } cgroupsPath) json.WriteString("cgroupsPath", cgroupsPath);
                WriteResources(json, spec);
                var devices = (spec.Privileged?.Devices ?? []).Concat(spec.Devices).ToList();
                if (devices.Count > 0) WriteDevices(json, devices);
            }
            WriteStrings(json, "maskedPaths", spec.Privileged is null ? MaskedPaths : []);
            WriteStrings(json, "readonlyPaths", spec.Privileged is null ? ReadonlyPaths : []);
            json.WriteEndObject();

            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// <c>linux.resources</c>: the device cgroup — docker's default (any node may be made, none opened beyond the
    /// runtime's defaults), or every device for a privileged container — and the memory and CPU limits.
    /// </summary>
    private static void WriteResources(Utf8JsonWriter json, BundleSpec spec)
    {
        json.WriteStartObject("resources");
        json.WriteStartArray("devices");
        if (spec.Privileged is null)
        {
            json.WriteStartObject();
            json.WriteBoolean("allow", false);
            json.WriteString("access", "rwm");
            json.WriteEndObject();
        }
        foreach (var type in new[] { "c", "b" })
        {
            json.WriteStartObject();
            json.WriteBoolean("allow", true);
            json.WriteString("type", type);
            json.WriteString("access", spec.Privileged is null ? "m" : "rwm");
            json.WriteEndObject();
        }
        foreach (var device in spec.Privileged is null ? spec.Devices : [])
        {
            json.WriteStartObject();
            json.WriteBoolean("allow", true);
            json.WriteString("type", device.Type.ToString());
            json.WriteNumber("major", device.Major);
            json.WriteNumber("minor", device.Minor);
            json.WriteString("access", device.Access);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        var limits = spec.Sandbox.Resources;
        if (limits.Memory is not null || limits.MemorySwap is not null)
        {
            json.WriteStartObject("memory");
            if (limits.Memory is { } memory) json.WriteNumber("limit", memory);
            if (limits.MemorySwap is { } swap) json.WriteNumber("swap", swap);
            json.WriteEndObject();
        }
        if (limits.CpuShares is not null || limits.CpuPeriod is not null || limits.CpuQuota is not null || limits.CpusetCpus is not null || limits.CpusetMems is not null)
        {
            json.WriteStartObject("cpu");
            if (limits.CpuShares is { } shares) json.WriteNumber("shares", shares);
            if (limits.CpuQuota is { } quota) json.WriteNumber("quota", quota);
            if (limits.CpuPeriod is { } period) json.WriteNumber("period", period);
            if (limits.CpusetCpus is { } cpus) json.WriteString("cpus", cpus);
            if (limits.CpusetMems is { } mems) json.WriteString("mems", mems);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteDevices(Utf8JsonWriter json, IReadOnlyList<ContainerDevice> devices)
    {
        json.WriteStartArray("devices");
        foreach (var device in devices)
        {
            json.WriteStartObject();
            json.WriteString("path", device.Path);
            json.WriteString("type", device.Type.ToString());
            json.WriteNumber("major", device.Major);
            json.WriteNumber("minor", device.Minor);
            json.WriteNumber("fileMode", 0b110_110_110);
            json.WriteNumber("uid", 0);
            json.WriteNumber("gid", 0);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private sealed record Mount(string Destination, string Type, string Source, IReadOnlyList<string> Options, bool IsFile = false);

    private static IEnumerable<Mount> Mounts(BundleSpec spec)
    {
        // First, so that every other mount lands inside it.
        if (spec.Overlay is { } overlay) yield return new("/", "overlay", "overlay", overlay.Options);
        yield return new("/proc", "proc", "proc", ["nosuid", "noexec", "nodev"]);
        yield return new("/dev", "tmpfs", "tmpfs", ["nosuid", "strictatime", "mode=755", "size=65536k"]);
        bool rootless = spec.Privileges.Rootless;
        yield return rootless
            ? new("/dev/pts", "devpts", "devpts", ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"])
            : new("/dev/pts", "devpts", "devpts", ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]);
        yield return new("/dev/shm", "tmpfs", "shm", ["nosuid", "noexec", "nodev", "mode=1777",
            spec.Sandbox.ShmSize is { } shm ? "size=" + shm.ToString(System.Globalization.CultureInfo.InvariantCulture) : "size=65536k"]);
        yield return new("/dev/mqueue", "mqueue", "mqueue", ["nosuid", "noexec", "nodev"]);
        // sysfs belongs to a network namespace: with the host's network, bind the host's /sys instead. Read-only
        // but in a privileged container, as BuildKit's insecure mode makes sysfs and cgroupfs writable.
        string[] access = spec.Privileged is null ? ["ro"] : [];
        yield return spec.Network == NetworkMode.None
            ? new("/sys", "sysfs", "sysfs", ["nosuid", "noexec", "nodev", .. access])
            : new("/sys", "bind", "/sys", ["rbind", "nosuid", "noexec", "nodev", .. access]);
        // The container's own cgroup, as BuildKit and docker mount it (a rootless container has none of its own).
        if (!rootless) yield return new("/sys/fs/cgroup", "cgroup", "cgroup", ["nosuid", "noexec", "nodev", .. access]);
        if (spec.TmpfsTmp) yield return new("/tmp", "tmpfs", "tmpfs", ["nosuid", "nodev", "mode=1777"]);
        foreach (var (destination, source, readOnly) in spec.BindFiles)
            yield return new(destination, "bind", source, readOnly ? ["rbind", "rprivate", "ro"] : ["rbind", "rprivate"], IsFile: true);
        foreach (var mount in spec.Mounts)
            yield return new(mount.Destination, mount.Type, mount.Source, mount.Options, mount.IsFile);
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values) json.WriteStringValue(value);
        json.WriteEndArray();
    }

    /// <summary>One id mapping: <paramref name="hostId"/> is root inside, and no other id exists there.</summary>
    private static void WriteMapping(Utf8JsonWriter json, string name, int hostId)
    {
        json.WriteStartArray(name);
        json.WriteStartObject();
        json.WriteNumber("containerID", 0);
        json.WriteNumber("hostID", hostId);
        json.WriteNumber("size", 1);
        json.WriteEndObject();
        json.WriteEndArray();
    }

    private static void WriteNumbers(Utf8JsonWriter json, string name, IEnumerable<int> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values) json.WriteNumberValue(value);
        json.WriteEndArray();
    }
}
