namespace Tabula.Sbom;

/// <summary>The paths (clean, without the leading '/') where package managers and the OS say what is installed.</summary>
internal static class PackagePaths
{
    public const string DpkgStatus = "var/lib/dpkg/status";
    public const string DpkgStatusDirectory = "var/lib/dpkg/status.d";
    public const string ApkInstalled = "lib/apk/db/installed";
    public const string EtcOsRelease = "etc/os-release";
    public const string UsrLibOsRelease = "usr/lib/os-release";
    public const string DocDirectory = "usr/share/doc";

    /// <summary>Kept with their bytes: package databases and os-release.</summary>
    public static bool IsDatabase(string path)
        => path is DpkgStatus or ApkInstalled or EtcOsRelease or UsrLibOsRelease
            || (path.StartsWith(DpkgStatusDirectory + "/", StringComparison.Ordinal) && path.IndexOf('/', DpkgStatusDirectory.Length + 1) < 0
                && !path.EndsWith(".md5sums", StringComparison.Ordinal));

    /// <summary><c>usr/share/doc/PKG/copyright</c>: kept as its licenses.</summary>
    public static bool IsCopyright(string path)
        => path.StartsWith(DocDirectory + "/", StringComparison.Ordinal) && path.EndsWith("/copyright", StringComparison.Ordinal)
            && path.Count(c => c == '/') == 4;

    /// <summary><c>usr/share/doc/PKG</c>: a package's doc folder is often a symlink to another package's.</summary>
    public static bool IsDocFolder(string path)
        => path.StartsWith(DocDirectory + "/", StringComparison.Ordinal) && path.Count(c => c == '/') == 3;

    public static string CopyrightOf(string package) => $"{DocDirectory}/{package}/copyright";
}
