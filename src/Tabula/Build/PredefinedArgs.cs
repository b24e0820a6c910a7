using Tabula.Oci;

namespace Tabula.Build;

/// <summary>The platform ARGs BuildKit defines in the global scope (a stage sees them only after declaring them).</summary>
internal static class PredefinedArgs
{
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
    }
}
