using Tabula.Runtime;

namespace Tabula.Tests.Runtime;

/// <summary>Root, rootless or one message naming what is missing, decided from injected host facts.</summary>
public class ContainerPrivilegesTests
{
    private static HostFacts Facts(int uid, params (string Path, string Text)[] files)
    {
        var map = files.ToDictionary(f => f.Path, f => f.Text, StringComparer.Ordinal);
        return new HostFacts(uid, uid + 1, path => map.GetValueOrDefault(path));
    }

    private const string MaxNamespaces = "/proc/sys/user/max_user_namespaces";

    [Fact]
    public void Root_runs_as_root_whatever_the_settings()
    {
        Assert.Equal(ContainerPrivileges.Root, ContainerPrivileges.Detect(Facts(0, (MaxNamespaces, "0"))));
        Assert.False(ContainerPrivileges.Root.Rootless);
    }

    [Fact]
    public void A_normal_user_with_user_namespaces_runs_rootless_as_itself()
    {
        var privileges = ContainerPrivileges.Detect(Facts(1000, (MaxNamespaces, "15000"), ("/proc/sys/kernel/unprivileged_userns_clone", "1")));

        Assert.Equal(new ContainerPrivileges(true, 1000, 1001), privileges);
    }

    [Theory]
    [InlineData(MaxNamespaces, "0", "user namespaces are disabled (sysctl user.max_user_namespaces=0)")]
    [InlineData("/proc/sys/kernel/unprivileged_userns_clone", "0", "unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone=0)")]
    [InlineData("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1", "AppArmor restricts unprivileged user namespaces")]
    public void A_disabled_setting_is_named_in_one_line(string path, string value, string expected)
    {
        var facts = path == MaxNamespaces ? Facts(1000, (path, value)) : Facts(1000, (MaxNamespaces, "100"), (path, value));

        var error = Assert.Throws<ContainerPrivilegeException>(() => ContainerPrivileges.Detect(facts));

        Assert.Contains(expected, error.Message);
        Assert.Contains("run tabula as root", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_kernel_without_user_namespaces_is_named()
    {
        var error = Assert.Throws<ContainerPrivilegeException>(() => ContainerPrivileges.Detect(Facts(1000)));

        Assert.Contains("no user namespaces", error.Message);
    }

    [Fact]
    public void Rootless_only_root_can_be_the_container_user()
    {
        var root = ContainerRun.RootlessUser(new ContainerUser(0, 0, [10, 20], "/root"), null);
        Assert.Empty(root.AdditionalGids);

        var error = Assert.Throws<ContainerPrivilegeException>(() => ContainerRun.RootlessUser(new ContainerUser(65534, 65534, [], "/"), "nobody"));
        Assert.Contains("'nobody' (uid 65534, gid 65534) cannot run rootless", error.Message);
    }
}
