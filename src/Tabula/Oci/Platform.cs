using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace Tabula.Oci;

/// <summary>An OS/architecture pair as in an image index or config, e.g. <c>linux/arm64/v8</c>.</summary>
public sealed record Platform
{
    [JsonPropertyName("architecture")] public string Architecture { get; init; } = "";
    [JsonPropertyName("os")] public string Os { get; init; } = "";
    [JsonPropertyName("os.version")] public string? OsVersion { get; init; }
    [JsonPropertyName("os.features")] public IReadOnlyList<string>? OsFeatures { get; init; }
    [JsonPropertyName("variant")] public string? Variant { get; init; }

    /// <summary>Parses <c>os/arch[/variant]</c> (or a bare arch), normalising names as containerd does.</summary>
    public static Platform Parse(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split('/');
        if (parts.Length is < 1 or > 3 || parts.Any(string.IsNullOrEmpty))
            throw new FormatException($"invalid platform '{text}': expected OS/ARCH[/VARIANT], e.g. linux/amd64");
        return parts.Length == 1
            ? Normalize(new Platform { Os = "linux", Architecture = parts[0] })
            : Normalize(new Platform { Os = parts[0], Architecture = parts[1], Variant = parts.Length == 3 ? parts[2] : null });
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

    public static Platform Normalize(Platform platform)
    {
        var os = platform.Os switch { "macos" => "darwin", var o => o };
        var (arch, variant) = (platform.Architecture, platform.Variant) switch
        {
            ("i386" or "x86", var v) => ("386", v),
            ("x86_64" or "x86-64" or "amd64", var v) => ("amd64", v is "v1" ? null : v),
            ("aarch64" or "arm64", null or "8" or "v8") => ("arm64", (string?)"v8"),
            ("aarch64" or "arm64", var v) => ("arm64", v),
            ("armhf" or "arm", null or "7") => ("arm", "v7"),
            ("armel", null) => ("arm", "v6"),
            ("arm", var v) when v is "5" or "6" or "8" => ("arm", "v" + v),
            var (a, v) => (a, v),
        };
        return platform with { Os = os, Architecture = arch, Variant = variant };
    }

    /// <summary>Whether an image for <paramref name="candidate"/> runs as this platform asks (variant checked when asked for).</summary>
    public bool Matches(Platform? candidate)
    {
        if (candidate is null) return false;
        var want = Normalize(this);
        var have = Normalize(candidate);
        if (want.Os != have.Os || want.Architecture != have.Architecture) return false;
        return want.Variant is null || have.Variant is null && want.Variant == DefaultVariant(want.Architecture) || want.Variant == have.Variant;
    }

    private static string? DefaultVariant(string architecture) => architecture switch { "arm64" => "v8", "arm" => "v7", _ => null };

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
