using Tabula.Layers;

namespace Tabula.Cli.Build;

/// <summary>
/// buildx's <c>--ssh ID[=PATH[,PATH]]</c>: an id alone forwards the agent of <c>$SSH_AUTH_SOCK</c>, else the agent socket
/// given. Key files (which BuildKit serves from an agent of its own) are refused with what to do instead. An error never
/// shows the socket's path.
/// </summary>
internal static class SshAgentSpecs
{
    public static Dictionary<string, string> Parse(IEnumerable<string> specs, Func<string, string?> environment)
    {
        var agents = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var parts = spec.Split('=', 2);
            var id = parts[0];
            if (id.Length == 0) throw new FormatException($"invalid --ssh '{spec}': give default, ID or ID=SOCKET");
            if (agents.ContainsKey(id)) throw new FormatException($"--ssh {id}: duplicate agent ID \"{id}\"");
            var paths = parts.Length == 2 ? parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries) : [];
            string socket;
            if (paths.Length == 0)
            {
                socket = environment("SSH_AUTH_SOCK") is { Length: > 0 } fromEnvironment ? fromEnvironment
                    : throw new FormatException($"--ssh {id}: invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set");
            }
            else if (paths.Length == 1)
            {
                socket = paths[0];
            }
            else
            {
                throw KeysNotSupported(id);
            }
            socket = Path.GetFullPath(socket);
            if (Posix.Lstat(socket) is { IsSymlink: true }) socket = new FileInfo(socket).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? socket;
            var status = Posix.Lstat(socket);
            if (status is null) throw new FormatException($"--ssh {id}: the agent socket given does not exist (is its ssh-agent running?)");
            if (status.Type == Posix.TypeRegular) throw KeysNotSupported(id);
            if (status.Type != Posix.TypeSocket) throw new FormatException($"--ssh {id}: what was given is not an agent socket");
            agents[id] = socket;
        }
        return agents;
    }

    private static FormatException KeysNotSupported(string id)
        => new($"--ssh {id}: key files are not supported yet; add the key to an ssh-agent (ssh-add FILE) and give its socket: --ssh {id}=$SSH_AUTH_SOCK");
}
