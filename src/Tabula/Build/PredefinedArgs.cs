using Tabula.Oci;

namespace Tabula.Build;

/// <summary>
/// The ARGs BuildKit predefines: the platform ones in the global scope (a stage sees them only after declaring them),
/// and the proxy variables.
/// </summary>
internal static class PredefinedArgs
{
    /// <summary>
    /// The proxy variables BuildKit predefines: a RUN receives them from <c>--build-arg</c> without an ARG (and they
    /// stay out of the image's history), so they are never reported as unused.
    /// </summary>
    public static IReadOnlySet<string> Proxy { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY",
    };

    /// <summary>BuildKit's build argument naming the hostname RUN commands see (default <c>buildkitsandbox</c>).</summary>
    public const string SandboxHostname = "BUILDKIT_SANDBOX_HOSTNAME";

    /// <summary>The hostname of RUN containers: <c>--build-arg BUILDKIT_SANDBOX_HOSTNAME</c> when given, as in BuildKit.</summary>
    public static string Hostname(IReadOnlyDictionary<string, string> buildArgs)
        => buildArgs.TryGetValue(SandboxHostname, out var name) && name.Length > 0 ? name : "buildkitsandbox";

    /// <summary>
    /// BuildKit's proxy environment of a RUN: each proxy build arg, named in either case (the lower-case name wins when
    /// both are given), sets both the upper- and lower-case variable; empty values set none. It is not part of a
    /// step's cache key.
    /// </summary>
    public static List<string> ProxyEnvironment(IReadOnlyDictionary<string, string> buildArgs)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in buildArgs.Keys.Order(StringComparer.Ordinal))
            if (Proxy.Contains(name)) values[name.ToUpperInvariant()] = buildArgs[name];
        var env = new List<string>();
        foreach (var name in Proxy.Order(StringComparer.Ordinal))
            if (values.TryGetValue(name, out var value) && value.Length > 0)
                env.AddRange([name + "=" + value, name.ToLowerInvariant() + "=" + value]);
        return env;
    }

    public static Dictionary<string, string> For(Platform target, Platform build)
    {
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        Add(args, "TARGET", target);
        Add(args, "BUILD", build);
        return args;
    }

    private static void Add(Dictionary<string, string> args, string prefix, Platform platform)
    {
        args[prefix + "PLATFORM"] = platform.ToString();
        args[prefix + "OS"] = platform.Os;
        args[prefix + "ARCH"] = platform.Architecture;
        args[prefix + "VARIANT"] = platform.Variant ?? "";
        // BuildKit defines TARGETOSVERSION only (not BUILDOSVERSION).
        if (prefix == "TARGET") args["TARGETOSVERSION"] = platform.OsVersion ?? "";
    }
}
