using System.Globalization;
using System.Runtime.InteropServices;
using Tabula.IO;

namespace Tabula.Runtime;

/// <summary>A device node the runtime makes in the container's /dev (the OCI spec's <c>linux.devices</c>).</summary>
internal sealed record ContainerDevice(string Path, char Type, long Major, long Minor)
{
    /// <summary>What the device cgroup lets the container do with it: read, write, mknod.</summary>
    public string Access { get; init; } = "rwm";
}

/// <summary>
/// What <c>RUN --security=insecure</c> gives a container, as BuildKit's insecure mode (docker's <c>--privileged</c>):
/// every capability this process holds, no masked or read-only /proc paths, writable /sys and cgroupfs, every
/// device allowed by the device cgroup, and the device nodes BuildKit adds — kmsg, cuse, fuse, kvm, tun,
/// loop-control and the loop devices up to eight past the first free one.
/// </summary>
internal sealed partial record PrivilegedContainer(IReadOnlyList<string> Capabilities, IReadOnlyList<ContainerDevice> Devices)
{
    /// <summary>Capability names by bit number (linux/capability.h).</summary>
    private static readonly string[] CapabilityNames =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    private static readonly ContainerDevice[] FixedDevices =
    [
        new("/dev/kmsg", 'c', 1, 11), // dmesg
        new("/dev/cuse", 'c', 10, 203),
        new("/dev/fuse", 'c', 10, 229),
        new("/dev/kvm", 'c', 10, 232),
        new("/dev/net/tun", 'c', 10, 200),
        new("/dev/loop-control", 'c', 10, 237),
    ];

    private const uint LoopCtlGetFree = 0x4C82;
    private const int LoopExtra = 7;

    /// <summary>For this host: the effective capabilities of this process (a container cannot get more) and its loop devices.</summary>
    public static PrivilegedContainer ForThisHost() => For(HostFacts.Current(), FreeLoopDevice());

    public static PrivilegedContainer For(HostFacts facts, int freeLoop)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var devices = FixedDevices.Concat(Enumerable.Range(0, freeLoop + LoopExtra + 1)
            .Select(i => new ContainerDevice("/dev/loop" + i.ToString(CultureInfo.InvariantCulture), 'b', 7, i))).ToList();
        return new PrivilegedContainer(EffectiveCapabilities(facts), devices);
    }

    private static List<string> EffectiveCapabilities(HostFacts facts)
    {
        var line = facts.ReadFile("/proc/self/status")?.Split('\n').FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        if (line is null || !ulong.TryParse(line[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var effective))
            return [];
        return [.. CapabilityNames.Where((_, bit) => (effective & (1UL << bit)) != 0)];
    }

    /// <summary>The first unused loop device, as the kernel's loop-control reports it; 0 when it cannot tell.</summary>
    private static int FreeLoopDevice()
    {
        try
        {
            using var control = File.OpenHandle("/dev/loop-control", FileMode.Open, FileAccess.ReadWrite);
            int free = Ioctl((int)control.DangerousGetHandle(), LoopCtlGetFree, 0);
            return free < 0 ? 0 : free;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    [LibraryImport(LibC.Name, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, nint argument);
}
