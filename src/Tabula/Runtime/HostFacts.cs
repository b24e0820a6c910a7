using Tabula.Layers;

namespace Tabula.Runtime;

/// <summary>
/// What decides how containers can run here: this process's effective ids and the kernel settings read through
/// <paramref name="ReadFile"/> (a /proc path → its trimmed text, or null when absent), so that the decision can
/// be tested without changing the machine.
/// </summary>
internal sealed record HostFacts(int EffectiveUid, int EffectiveGid, Func<string, string?> ReadFile)
{
    public static HostFacts Current() => new(Posix.EffectiveUid(), Posix.EffectiveGid(), ReadProcFile);

    private static string? ReadProcFile(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
