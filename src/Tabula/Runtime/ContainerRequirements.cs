using System.Globalization;

namespace Tabula.Runtime;

/// <summary>
/// Why an OCI runtime may fail to start any container here, in words a user can act on: the checks that usually
/// explain it inside an unprivileged container (a CI runner on Kubernetes, say) — no CAP_SYS_ADMIN, cgroups mounted
/// read-only, user namespaces refused. Only read from /proc and /sys; nothing is changed.
/// </summary>
internal static class ContainerRequirements
{
    private const int CapSysAdmin = 21;

    public static string Describe() => Describe(HostFacts.Current());

    public static string Describe(HostFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var problems = new List<string>();
        if (facts.EffectiveUid == 0 && !HasCapability(facts, CapSysAdmin))
            problems.Add("this process lacks CAP_SYS_ADMIN (an unprivileged container: run it with --privileged, or build without RUN)");
        if (facts.ReadFile("/proc/self/mounts") is { } mounts && CgroupsReadOnly(mounts))
            problems.Add("/sys/fs/cgroup is mounted read-only (a container's default: give it a writable cgroup, e.g. --privileged or --cgroupns=private with rw)");
        if (facts.EffectiveUid != 0)
        {
            try { ContainerPrivileges.Detect(facts); }
            catch (ContainerPrivilegeException e) { problems.Add(e.Message); }
        }
        return problems.Count == 0
            ? "the runtime's own message is in the output above"
            : string.Join("; ", problems);
    }

    private static bool HasCapability(HostFacts facts, int capability)
    {
        var status = facts.ReadFile("/proc/self/status");
        var line = status?.Split('\n').FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        return line is null || !ulong.TryParse(line[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var effective)
            || (effective & (1UL << capability)) != 0;
    }

    private static bool CgroupsReadOnly(string mounts)
        => mounts.Split('\n').Select(l => l.Split(' ')).Any(f => f.Length > 3 && f[1] == "/sys/fs/cgroup" && f[3].Split(',').Contains("ro"));
}
