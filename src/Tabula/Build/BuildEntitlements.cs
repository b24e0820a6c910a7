namespace Tabula.Build;

/// <summary>
/// What a build may do beyond the sandbox, granted by the user as buildx's <c>--allow</c> grants BuildKit's entitlements.
/// </summary>
[Flags]
public enum BuildEntitlements
{
    None = 0,

    /// <summary><c>security.insecure</c>: <c>RUN --security=insecure</c> runs as a privileged container.</summary>
    SecurityInsecure = 1,

    /// <summary><c>network.host</c>: accepted for buildx scripts; RUN has the host's network by default here.</summary>
    NetworkHost = 2,

    /// <summary><c>device</c>: <c>RUN --device</c> may use any CDI device, not only those whose spec allows them by itself.</summary>
    Device = 4,
}

/// <summary>The entitlement names, as buildx spells them.</summary>
public static class BuildEntitlementNames
{
    public const string SecurityInsecure = "security.insecure";
    public const string NetworkHost = "network.host";
    public const string Device = "device";

    /// <summary>One <c>--allow</c> value; a <see cref="FormatException"/> lists the names there are.</summary>
    public static BuildEntitlements Parse(string text) => text switch
    {
        SecurityInsecure => BuildEntitlements.SecurityInsecure,
        NetworkHost => BuildEntitlements.NetworkHost,
        Device => BuildEntitlements.Device,
        _ => throw new FormatException($"invalid --allow '{text}': give {SecurityInsecure}, {NetworkHost} or {Device}"),
    };
}
