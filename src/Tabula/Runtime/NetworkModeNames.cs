namespace Tabula.Runtime;

/// <summary>
/// The names users give a <see cref="NetworkMode"/> (<c>build --network</c>, <c>run --network</c>), read in one
/// place. <c>default</c> means the host's network, as BuildKit's default for RUN is.
/// </summary>
internal static class NetworkModeNames
{
    /// <summary>For messages: the names <see cref="TryParse"/> takes.</summary>
    public const string Accepted = "host or none";

    public static bool TryParse(string? text, out NetworkMode mode)
    {
        (bool known, mode) = text switch
        {
            "host" or "default" => (true, NetworkMode.Host),
            "none" => (true, NetworkMode.None),
            _ => (false, NetworkMode.Host),
        };
        return known;
    }
}
