using System.CommandLine;
using Tabula.Build;
using Tabula.Runtime;

namespace Tabula.Cli.Verbs;

/// <summary>
/// <c>tabula build</c>'s flags for the cgroup and privileges of RUN containers: docker build's <c>--cgroup-parent</c>,
/// <c>--memory</c>, <c>--memory-swap</c>, <c>--cpu-*</c>, <c>--cpuset-*</c>, and buildx's <c>--allow</c> for entitlements.
/// </summary>
internal sealed class BuildContainerFlags
{
    private readonly Option<string?> _cgroupParent = new("--cgroup-parent") { Description = "Cgroup (a path from the cgroup root) to place RUN containers under" };
    private readonly Option<string?> _memory = new("--memory", "-m") { Description = "Memory limit of each RUN container: bytes or with a unit (512m, 2g); at least 6m" };
    private readonly Option<string?> _memorySwap = new("--memory-swap") { Description = "Memory plus swap limit of each RUN container (needs --memory); -1 for unlimited swap" };
    private readonly Option<string?> _cpuShares = new("--cpu-shares", "-c") { Description = "CPU shares (relative weight) of RUN containers" };
    private readonly Option<string?> _cpuPeriod = new("--cpu-period") { Description = "CFS period of RUN containers, microseconds" };
    private readonly Option<string?> _cpuQuota = new("--cpu-quota") { Description = "CFS quota of RUN containers, microseconds per period" };
    private readonly Option<string?> _cpusetCpus = new("--cpuset-cpus") { Description = "CPUs RUN containers may use (0-3, 0,1)" };
    private readonly Option<string?> _cpusetMems = new("--cpuset-mems") { Description = "Memory nodes RUN containers may use (0-3, 0,1)" };
    private readonly Option<string[]> _allow = new("--allow")
    {
        Description = "Grant an entitlement: security.insecure (RUN --security=insecure runs privileged), device (RUN --device of any CDI device), network.host; repeatable or comma-separated",
    };
    private readonly Option<string[]> _cdiSpecDirs = new("--cdi-spec-dir") { Description = "Read CDI specs for RUN --device from this folder instead of /etc/cdi and /var/run/cdi; repeatable" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _cgroupParent, _memory, _memorySwap, _cpuShares, _cpuPeriod, _cpuQuota, _cpusetCpus, _cpusetMems, _allow, _cdiSpecDirs })
            command.Options.Add(option);
    }

    /// <summary>The options with these flags applied; a malformed value is a usage error.</summary>
    public BuildOptions Apply(ParseResult parse, BuildOptions options)
    {
        try
        {
            var resources = new ContainerResources
            {
                Memory = parse.GetValue(_memory) is { } memory ? Memory("--memory", memory, allowUnlimited: false) : null,
                MemorySwap = parse.GetValue(_memorySwap) is { } swap ? Memory("--memory-swap", swap, allowUnlimited: true) : null,
                CpuShares = parse.GetValue(_cpuShares) is { } shares ? (ulong)ContainerResources.ParseNumber("--cpu-shares", shares) : null,
                CpuPeriod = parse.GetValue(_cpuPeriod) is { } period ? (ulong)ContainerResources.ParseNumber("--cpu-period", period) : null,
                CpuQuota = parse.GetValue(_cpuQuota) is { } quota ? ContainerResources.ParseNumber("--cpu-quota", quota, allowUnlimited: true) : null,
                CpusetCpus = parse.GetValue(_cpusetCpus) is { } cpus ? ContainerResources.ParseCpuset("--cpuset-cpus", cpus) : null,
                CpusetMems = parse.GetValue(_cpusetMems) is { } mems ? ContainerResources.ParseCpuset("--cpuset-mems", mems) : null,
            }.Validated();
            return options with
            {
                Sandbox = options.Sandbox with
                {
                    CgroupParent = parse.GetValue(_cgroupParent) is { } parent ? SandboxSettings.ParseCgroupParent(parent) : null,
                    Resources = resources,
                },
                Allow = (parse.GetValue(_allow) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    .Aggregate(BuildEntitlements.None, (all, name) => all | BuildEntitlementNames.Parse(name)),
                CdiSpecDirectories = parse.GetValue(_cdiSpecDirs) is { Length: > 0 } directories
                    ? [.. directories.Select(Path.GetFullPath)]
                    : options.CdiSpecDirectories,
            };
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>A size as docker's units read it (<c>512m</c>, <c>2g</c>, bytes); -1 where unlimited is allowed.</summary>
    private static long Memory(string flag, string text, bool allowUnlimited)
    {
        if (allowUnlimited && text == "-1") return -1;
        return Tabula.Build.Mounts.MemorySize.Parse(text) is > 0 and var bytes ? bytes
            : throw new FormatException($"invalid {flag} '{text}': give bytes or a size with a unit, e.g. 512m{(allowUnlimited ? ", or -1 for unlimited" : "")}");
    }
}
