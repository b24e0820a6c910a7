using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace Tabula.Oci;

/// <summary>An OS/architecture pair as in an image index or config, e.g. <c>linux/arm64</c> or <c>linux/arm/v7</c>.</summary>
public sealed record Platform
{
    [JsonPropertyName("architecture")] public string Architecture { get; init; } = "";
    [JsonPropertyName("os")] public string Os { get; init; } = "";
    [JsonPropertyName("os.version")] public string? OsVersion { get; init; }
    [JsonPropertyName("os.features")] public IReadOnlyList<string>? OsFeatures { get; init; }
    [JsonPropertyName("variant")] public string? Variant { get; init; }

    /// <summary>
    /// Parses <c>os/arch[/variant]</c>, or a bare OS or architecture, as containerd's <c>platforms.Parse</c> followed by
    /// <c>platforms.Normalize</c> (what BuildKit does with <c>--platform</c>): each part is letters, digits, <c>_</c> or
    /// <c>-</c>; a bare word must be an OS or architecture Go knows. The OS may carry its version in parentheses,
    /// <c>windows(10.0.20348)/amd64</c>, as containerd's <c>FormatAll</c> writes it.
    /// </summary>
    /// <exception cref="FormatException">The text is no platform.</exception>
    public static Platform Parse(string text)
        => TryParse(text, out var platform, out var fault) ? platform : throw new FormatException($"invalid platform '{text}': {fault}; expected OS/ARCH[/VARIANT], e.g. linux/amd64");

    /// <summary><see cref="Parse"/> without the exception: <paramref name="fault"/> says what is wrong (no hint).</summary>
    internal static bool TryParse(string text, [NotNullWhen(true)] out Platform? platform, [NotNullWhen(false)] out string? fault)
    {
        ArgumentNullException.ThrowIfNull(text);
        (platform, fault) = (null, null);
        var parts = text.Trim().ToLowerInvariant().Split('/');
        string? osVersion = null;
        if (OsWithVersion(parts[0]) is var (os, version))
            (parts[0], osVersion) = (os, version);
        if (parts.Length > 3) fault = "more parts than OS/ARCH/VARIANT";
        else if (parts.FirstOrDefault(p => !IsComponent(p)) is { } bad)
            fault = bad.Length == 0 ? "an empty part" : $"'{bad}' is not a platform part (letters, digits, '_' and '-' only)";
        else if (parts.Length > 1) platform = Normalize(new Platform { Os = parts[0], Architecture = parts[1], Variant = parts.Length == 3 ? parts[2] : null });
        else if (KnownOs.Contains(parts[0])) platform = Normalize(Host with { Os = parts[0] });
        else if (Normalize(new Platform { Os = "linux", Architecture = parts[0] }) is var bare && KnownArchitectures.Contains(bare.Architecture)) platform = bare;
        else fault = "unknown operating system or architecture";
        if (platform is not null && osVersion is not null) platform = platform with { OsVersion = osVersion };
        return platform is not null;
    }

    /// <summary><c>os(version)</c>: the OS and its version (letters, digits, <c>.</c>, <c>_</c>, <c>-</c>); null for anything else.</summary>
    private static (string Os, string Version)? OsWithVersion(string part)
    {
        int open = part.IndexOf('(', StringComparison.Ordinal);
        if (open <= 0 || !part.EndsWith(')')) return null;
        var version = part[(open + 1)..^1];
        return version.Length > 0 && version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') ? (part[..open], version) : null;
    }

    /// <summary>The platform this process runs on, as a container image names it.</summary>
    public static Platform Host => Normalize(new Platform
    {
        Os = "linux",
        Architecture = RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => "amd64",
            System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
            System.Runtime.InteropServices.Architecture.Arm or System.Runtime.InteropServices.Architecture.Armv6 => "arm",
            System.Runtime.InteropServices.Architecture.X86 => "386",
            System.Runtime.InteropServices.Architecture.S390x => "s390x",
            System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
            System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
            System.Runtime.InteropServices.Architecture.LoongArch64 => "loong64",
            var other => other.ToString().ToLowerInvariant(),
        },
    });

    /// <summary>containerd's normal form: aarch64 → arm64 (v8, its default variant, left out), x86_64 → amd64, armhf → arm/v7…</summary>
    public static Platform Normalize(Platform platform)
    {
        var (arch, variant) = (platform.Architecture.ToLowerInvariant(), platform.Variant?.ToLowerInvariant()) switch
        {
            ("i386", _) => ("386", null),
            ("x86_64" or "x86-64" or "amd64", var v) => ("amd64", v is "v1" ? null : v),
            ("aarch64" or "arm64", "8" or "v8" or "v8.0") => ("arm64", null),
            ("aarch64" or "arm64", "9" or "9.0" or "v9.0") => ("arm64", "v9"),
            ("aarch64" or "arm64", var v) => ("arm64", v),
            ("armhf", _) => ("arm", "v7"),
            ("armel", _) => ("arm", "v6"),
            ("arm", null or "" or "7") => ("arm", "v7"),
            ("arm", var v) when v is "5" or "6" or "8" => ("arm", "v" + v),
            var (a, v) => (a, v),
        };
        return platform with { Os = NormalizeOs(platform.Os), Architecture = arch, Variant = variant is "" ? null : variant };
    }

    /// <summary>Whether an image for <paramref name="candidate"/> runs as this platform asks (variant checked when asked for).</summary>
    public bool Matches(Platform? candidate)
    {
        if (candidate is null) return false;
        var want = Normalize(this);
        var have = Normalize(candidate);
        if (want.Os != have.Os || want.Architecture != have.Architecture) return false;
        // An asked OS version (Windows images are made per version) must be the image's, when the image names one.
        if (want.OsVersion is { Length: > 0 } wantVersion && have.OsVersion is { Length: > 0 } haveVersion && wantVersion != haveVersion) return false;
        return want.Variant is null || have.Variant is null && want.Variant == DefaultVariant(want.Architecture) || want.Variant == have.Variant;
    }

    private static string? DefaultVariant(string architecture) => architecture switch { "arm" => "v7", _ => null };

    private static string NormalizeOs(string os) => os.ToLowerInvariant() switch { "macos" => "darwin", var o => o };

    private static bool IsComponent(string part) => part.Length > 0 && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>Go's GOOS values (containerd's isKnownOS).</summary>
    private static readonly FrozenSet<string> KnownOs = new[]
    {
        "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris",
        "windows", "zos", "macos",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Go's GOARCH values (containerd's isKnownArch).</summary>
    private static readonly FrozenSet<string> KnownArchitectures = new[]
    {
        "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "ppc64", "ppc64le", "loong64", "mips", "mipsle", "mips64", "mips64le",
        "mips64p32", "mips64p32le", "ppc", "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>containerd's <c>FormatAll</c>: <c>os[(version)]/arch[/variant]</c>, what BuildKit's <c>TARGETPLATFORM</c> holds.</summary>
    public override string ToString()
    {
        var os = OsVersion is { Length: > 0 } version ? $"{Os}({version})" : Os;
        return Variant is null ? $"{os}/{Architecture}" : $"{os}/{Architecture}/{Variant}";
    }
}
