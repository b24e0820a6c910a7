using System.Runtime.InteropServices;

namespace Tabula.IO;

/// <summary>
/// Whether this machine has the OpenSSL that .NET needs on Linux for every SHA-256 (digests) and TLS connection.
/// Without it the runtime does not throw: it prints "No usable version of libssl was found" and aborts the process
/// at the first hash, so a command must ask before it starts, while it can still say what to install.
/// </summary>
internal static class OpenSsl
{
    /// <summary>What .NET itself tries to load on Linux, newest first (see the runtime's opensslshim).</summary>
    public static readonly IReadOnlyList<string> Sonames =
        ["libssl.so.3", "libssl.so.1.1", "libssl.so.11", "libssl.so.1.0.2", "libssl.so.1.0.0", "libssl.so.10"];

    /// <summary>The variable by which .NET is told which <c>libssl.so.VERSION</c> to try first.</summary>
    public const string VersionOverrideVariable = "CLR_OPENSSL_VERSION_OVERRIDE";

    /// <summary>The first library name that loads, or null when none does.</summary>
    /// <param name="tryLoad">Loads a library by name (and lets it go), true when it loaded.</param>
    /// <param name="environment">Reads a variable (null when unset).</param>
    public static string? Find(Func<string, bool> tryLoad, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(tryLoad);
        ArgumentNullException.ThrowIfNull(environment);
        IEnumerable<string> candidates = environment(VersionOverrideVariable) is { Length: > 0 } version
            ? [$"libssl.so.{version}", .. Sonames]
            : Sonames;
        return candidates.FirstOrDefault(tryLoad);
    }

    /// <summary>Throws <see cref="OpenSslMissingException"/> when no OpenSSL loads on this machine.</summary>
    public static void EnsureAvailable() => EnsureAvailable(TryLoad, Environment.GetEnvironmentVariable);

    public static void EnsureAvailable(Func<string, bool> tryLoad, Func<string, string?> environment)
    {
        if (Find(tryLoad, environment) is null) throw new OpenSslMissingException();
    }

    private static bool TryLoad(string name)
    {
        if (!NativeLibrary.TryLoad(name, out var handle)) return false;
        NativeLibrary.Free(handle);
        return true;
    }
}
