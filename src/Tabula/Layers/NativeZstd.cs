using System.Runtime.InteropServices;

namespace Tabula.Layers;

/// <summary>
/// Whether the native zstd that ships with the ZstdNet package can compress layers. It is used only when the loaded
/// library is exactly the version the managed port (ZstdSharp) was made from: the two then write the same bytes, so a
/// layer's digest does not depend on which one ran, and a system libzstd of another version is never taken.
/// </summary>
internal static class NativeZstd
{
    /// <summary>zstd 1.5.7, as <c>ZSTD_versionNumber</c> gives it: what ZstdNet 1.5.7 bundles and ZstdSharp.Port 0.8.8 ports.</summary>
    public const uint PinnedVersion = 1_05_07;

    // Probed once a process: loading a native library is not undone, so the answer cannot change.
    private static readonly Lazy<bool> Usable = new(Probe);

    /// <summary>True when the bundled library loaded and is the pinned version.</summary>
    public static bool IsUsable => Usable.Value;

    private static unsafe bool Probe()
    {
        // The same name and assembly ZstdNet's own imports resolve with, so this finds the very file they will use.
        if (!NativeLibrary.TryLoad("libzstd", typeof(ZstdNet.Compressor).Assembly, DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories, out var library))
            return false;
        if (!NativeLibrary.TryGetExport(library, "ZSTD_versionNumber", out var export)) return false;
        return ((delegate* unmanaged<uint>)export)() == PinnedVersion;
    }
}
