using System.Globalization;
using System.Net;

namespace Tabula.Runtime;

/// <summary>
/// What a build sets for every RUN container (BuildKit's build-wide exec options): extra <c>/etc/hosts</c> entries
/// (<c>--add-host</c>), the size of <c>/dev/shm</c> (<c>--shm-size</c>), process rlimits (<c>--ulimit</c>), the
/// cgroup the containers go under (<c>--cgroup-parent</c>) and their cgroup limits (<c>--memory</c>, …).
/// </summary>
public sealed record SandboxSettings
{
    public IReadOnlyList<HostEntry> ExtraHosts { get; init; } = [];

    /// <summary>Bytes of the <c>/dev/shm</c> tmpfs; null: 64 MiB, as docker's and BuildKit's default.</summary>
    public long? ShmSize { get; init; }

    public IReadOnlyList<ProcessLimit> Ulimits { get; init; } = [];

    /// <summary>A cgroup path (from the cgroup root) each container's cgroup is made under; null: the runtime's default.</summary>
    public string? CgroupParent { get; init; }

    public ContainerResources Resources { get; init; } = new();

    /// <summary>Settings that need cgroups, which a rootless container does not get (named as the flags are).</summary>
    public IReadOnlyList<string> CgroupFlags()
        => [.. CgroupParent is null ? Array.Empty<string>() : ["--cgroup-parent"], .. Resources.IsEmpty ? Array.Empty<string>() : ["--memory/--cpu-*"]];

    /// <summary>
    /// docker's <c>--cgroup-parent</c>: a cgroupfs path, taken from the cgroup root whether or not it starts with <c>/</c>.
    /// systemd slices (<c>NAME.slice:</c>) need the runtime's systemd cgroup driver, which tabula does not drive.
    /// </summary>
    public static string ParseCgroupParent(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (text.Contains(':', StringComparison.Ordinal))
            throw new FormatException($"invalid --cgroup-parent '{text}': systemd slices (NAME.slice:) are not supported; give a cgroup path such as build/ci");
        if (parts.Length == 0 || parts.Any(p => p is "." or ".." || p.Any(char.IsControl)))
            throw new FormatException($"invalid --cgroup-parent '{text}': give a cgroup path such as build/ci (no '.' or '..' parts)");
        return "/" + string.Join('/', parts);
    }

    /// <summary>The settings as text for a step's cache key: they change what a command sees, as in BuildKit's exec op.</summary>
    public string KeyText()
    {
        var parts = new List<string>();
        parts.AddRange(ExtraHosts.Select(h => "host=" + h.Name + "=" + h.Address));
        parts.Add("shm=" + ShmSize?.ToString(CultureInfo.InvariantCulture));
        parts.AddRange(Ulimits.Select(u => "ulimit=" + u.Type + "=" + u.Soft.ToString(CultureInfo.InvariantCulture) + ":" + u.Hard.ToString(CultureInfo.InvariantCulture)));
        if (CgroupParent is not null) parts.Add("cgroup-parent=" + CgroupParent);
        if (!Resources.IsEmpty) parts.Add("resources=" + Resources.KeyText());
        return string.Join(';', parts);
    }
}

/// <summary>One line added to a container's <c>/etc/hosts</c>.</summary>
public sealed record HostEntry(string Name, IPAddress Address)
{
    /// <summary>docker's <c>--add-host</c>: <c>HOST:IP</c> or <c>HOST=IP</c> (an IPv6 address may follow the first colon).</summary>
    public static HostEntry Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int split = text.IndexOf('=', StringComparison.Ordinal);
        if (split < 0) split = text.IndexOf(':', StringComparison.Ordinal);
        var name = split > 0 ? text[..split] : "";
        var address = split > 0 ? text[(split + 1)..].Trim('[', ']') : "";
        if (name.Length == 0 || name.Any(char.IsWhiteSpace))
            throw new FormatException($"invalid --add-host '{text}': give HOST:IP");
        if (address == "host-gateway")
            throw new FormatException($"--add-host {name}: host-gateway needs a container network, and RUN uses the host's or none; give an IP");
        if (!IPAddress.TryParse(address, out var ip))
            throw new FormatException($"invalid --add-host '{text}': '{address}' is not an IP address; give HOST:IP");
        return new HostEntry(name, ip);
    }
}

/// <summary>An rlimit of the OCI spec's <c>process.rlimits</c>: <c>RLIMIT_NOFILE</c> etc.; <see cref="ulong.MaxValue"/> is unlimited.</summary>
public sealed record ProcessLimit(string Type, ulong Soft, ulong Hard)
{
    private static readonly string[] Names =
        ["as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"];

    /// <summary>docker's <c>--ulimit NAME=SOFT[:HARD]</c> (go-units ParseUlimit): -1 is unlimited, a lone value is both limits.</summary>
    public static ProcessLimit Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('=', 2);
        if (parts.Length != 2 || !Names.Contains(parts[0], StringComparer.Ordinal))
            throw new FormatException($"invalid --ulimit '{text}': give NAME=SOFT[:HARD] with NAME one of {string.Join(", ", Names)}");
        var limits = parts[1].Split(':');
        if (limits.Length > 2 || !TryLimit(limits[0], out var soft) || !TryLimit(limits[^1], out var hard))
            throw new FormatException($"invalid --ulimit '{text}': limits are whole numbers (or -1 for unlimited)");
        if (soft > hard)
            throw new FormatException($"invalid --ulimit '{text}': the soft limit {limits[0]} is above the hard limit {limits[^1]}");
        return new ProcessLimit("RLIMIT_" + parts[0].ToUpperInvariant(), soft, hard);
    }

    private static bool TryLimit(string text, out ulong value)
    {
        if (text == "-1") { value = ulong.MaxValue; return true; }
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
