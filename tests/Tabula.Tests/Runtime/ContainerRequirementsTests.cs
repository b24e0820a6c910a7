using Tabula.Runtime;

namespace Tabula.Tests.Runtime;

/// <summary>What a failed container start is put down to, from what /proc shows (given here, so no machine is changed).</summary>
public sealed class ContainerRequirementsTests
{
    private const string Mounts = "overlay / overlay rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 {0},nosuid,nodev 0 0\n";

    private static HostFacts Facts(int uid, string capEff, string cgroupMode) => new(uid, uid, path => path switch
    {
        "/proc/self/status" => $"Name:\ttabula\nCapEff:\t{capEff}\n",
        "/proc/self/mounts" => string.Format(System.Globalization.CultureInfo.InvariantCulture, Mounts, cgroupMode),
        "/proc/sys/user/max_user_namespaces" => "15000",
        _ => null,
    });

    [Fact]
    public void An_unprivileged_container_is_named_by_its_missing_capability_and_read_only_cgroups()
    {
        // docker's default set: no CAP_SYS_ADMIN (bit 21)
        var text = ContainerRequirements.Describe(Facts(0, "00000000a80425fb", "ro"));

        Assert.Contains("lacks CAP_SYS_ADMIN", text);
        Assert.Contains("/sys/fs/cgroup is mounted read-only", text);
    }

    [Fact]
    public void A_privileged_root_with_writable_cgroups_points_at_the_runtimes_message()
    {
        var text = ContainerRequirements.Describe(Facts(0, "000001ffffffffff", "rw"));

        Assert.Equal("the runtime's own message is in the output above", text);
    }

    [Fact]
    public void A_normal_user_without_user_namespaces_is_told_the_setting()
    {
        var facts = new HostFacts(1000, 1000, path => path == "/proc/sys/user/max_user_namespaces" ? "0" : null);

        Assert.Contains("user.max_user_namespaces=0", ContainerRequirements.Describe(facts));
    }
}
