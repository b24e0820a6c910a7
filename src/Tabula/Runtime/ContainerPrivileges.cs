namespace Tabula.Runtime;

/// <summary>
/// How containers run on this machine: as root (the runtime's defaults), or rootless — in a user namespace that
/// maps this user (<paramref name="HostUid"/>, <paramref name="HostGid"/>) to root inside and nothing else, as
/// <c>runc spec --rootless</c> lays it out.
/// </summary>
internal sealed record ContainerPrivileges(bool Rootless, int HostUid, int HostGid)
{
    public static ContainerPrivileges Root { get; } = new(false, 0, 0);

    private const string Prefix = "running a container (RUN, tabula run) needs root or user namespaces: ";

    /// <summary>Root for root, else rootless for this user, without asking whether the kernel allows it (for writing a bundle).</summary>
    public static ContainerPrivileges ForThisUser() => ForUser(HostFacts.Current());

    private static ContainerPrivileges ForUser(HostFacts facts)
        => facts.EffectiveUid == 0 ? Root : new ContainerPrivileges(true, facts.EffectiveUid, facts.EffectiveGid);

    /// <summary>This process's privileges; see <see cref="Detect(HostFacts)"/>.</summary>
    public static ContainerPrivileges Detect() => Detect(HostFacts.Current());

    /// <summary>
    /// Root when the effective uid is 0; otherwise rootless when the kernel lets a normal user create a user
    /// namespace; otherwise a <see cref="ContainerPrivilegeException"/> that names the setting in the way. A
    /// failure the settings do not show is left to the runtime, which then reports its own.
    /// </summary>
    public static ContainerPrivileges Detect(HostFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.EffectiveUid != 0 && Missing(facts) is { } missing) throw new ContainerPrivilegeException(Prefix + missing);
        return ForUser(facts);
    }

    private static string? Missing(HostFacts facts)
    {
        var max = facts.ReadFile("/proc/sys/user/max_user_namespaces");
        if (max is null)
            return "this kernel has no user namespaces (no /proc/sys/user/max_user_namespaces); run tabula as root";
        if (max == "0")
            return "user namespaces are disabled (sysctl user.max_user_namespaces=0); run tabula as root or enable them (sysctl -w user.max_user_namespaces=15000)";
        if (facts.ReadFile("/proc/sys/kernel/unprivileged_userns_clone") == "0")
            return "unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone=0); run tabula as root or enable them (sysctl -w kernel.unprivileged_userns_clone=1)";
        if (facts.ReadFile("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1")
            return "AppArmor restricts unprivileged user namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns=1); run tabula as root or allow them for the runtime with an AppArmor profile";
        return null;
    }
}
