using System.Globalization;
using System.Text.RegularExpressions;

namespace Tabula.Runtime;

/// <summary>
/// Cgroup limits of every RUN container, as docker build's flags and BuildKit's frontend attributes set them
/// (<c>--memory</c>, <c>--memory-swap</c>, <c>--cpu-shares</c>, <c>--cpu-period</c>, <c>--cpu-quota</c>,
/// <c>--cpuset-cpus</c>, <c>--cpuset-mems</c>); null leaves the runtime's default. They become the OCI spec's
/// <c>linux.resources</c>, which runc writes to the container's cgroup (v1 or v2).
/// </summary>
public sealed partial record ContainerResources
{
    /// <summary>docker refuses less: the runtime itself needs a few MiB in the cgroup.</summary>
    public const long MinimumMemory = 6 * 1024 * 1024;

    /// <summary>Memory limit in bytes.</summary>
    public long? Memory { get; init; }

    /// <summary>Memory plus swap in bytes; -1 is unlimited swap.</summary>
    public long? MemorySwap { get; init; }

    /// <summary>Relative CPU weight (cgroup v1 cpu.shares; runc converts it to v2's cpu.weight).</summary>
    public ulong? CpuShares { get; init; }

    /// <summary>CFS period and quota in microseconds.</summary>
    public ulong? CpuPeriod { get; init; }
    public long? CpuQuota { get; init; }

    /// <summary>CPUs and memory nodes the processes may use: <c>0-3</c>, <c>0,2</c>.</summary>
    public string? CpusetCpus { get; init; }
    public string? CpusetMems { get; init; }

    public bool IsEmpty => this == new ContainerResources();

    [GeneratedRegex(@"^\d+(-\d+)?(,\d+(-\d+)?)*$")]
    private static partial Regex CpusetPattern();

    /// <summary>The limits checked together, as docker checks them; a <see cref="FormatException"/> names the flag and what to give.</summary>
    public ContainerResources Validated()
    {
        if (Memory is { } memory && memory < MinimumMemory)
            throw new FormatException($"invalid --memory {memory}: the minimum is 6m (6291456 bytes)");
        if (MemorySwap is { } swap and not -1)
        {
            if (Memory is not { } limit)
                throw new FormatException("--memory-swap needs --memory: the swap limit counts memory and swap together");
            if (swap < limit)
                throw new FormatException($"invalid --memory-swap {swap}: it counts memory and swap together, so give at least --memory ({limit}), or -1 for unlimited swap");
        }
        if (CpuPeriod is { } period && period is < 1000 or > 1_000_000)
            throw new FormatException($"invalid --cpu-period {period}: give microseconds between 1000 and 1000000");
        if (CpuQuota is { } quota && quota is < 1000 and not -1)
            throw new FormatException($"invalid --cpu-quota {quota}: give at least 1000 microseconds, or -1 for none");
        return this;
    }

    /// <summary>A whole number for a CPU flag.</summary>
    public static long ParseNumber(string flag, string text, bool allowUnlimited = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (allowUnlimited && text == "-1") return -1;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
            : throw new FormatException($"invalid {flag} '{text}': give a positive whole number{(allowUnlimited ? " (or -1)" : "")}");
    }

    /// <summary>A cpuset list: numbers and ranges, comma-separated (<c>0-2,4</c>).</summary>
    public static string ParseCpuset(string flag, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!CpusetPattern().IsMatch(text))
            throw new FormatException($"invalid {flag} '{text}': give CPU (or memory node) numbers and ranges, e.g. 0-2,4");
        foreach (var range in text.Split(','))
        {
            var ends = range.Split('-');
            if (ends.Length == 2 && long.Parse(ends[0], CultureInfo.InvariantCulture) > long.Parse(ends[1], CultureInfo.InvariantCulture))
                throw new FormatException($"invalid {flag} '{text}': the range {range} runs backwards");
        }
        return text;
    }

    /// <summary>The limits as text for a step's cache key (they are part of BuildKit's exec op, hence of its cache key).</summary>
    public string KeyText()
        => string.Join(',', new (string, object?)[]
            {
                ("memory", Memory), ("swap", MemorySwap), ("shares", CpuShares), ("period", CpuPeriod), ("quota", CpuQuota),
                ("cpus", CpusetCpus), ("mems", CpusetMems),
            }.Where(p => p.Item2 is not null).Select(p => p.Item1 + "=" + Convert.ToString(p.Item2, CultureInfo.InvariantCulture)));
}
