using System.Globalization;
using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;
using Tabula.Runtime;

namespace Tabula.Build.Mounts;

/// <summary>An SSH mount of one RUN: where the container finds it, and the agent socket it relays to (null: not given, nothing mounted).</summary>
internal sealed record SshSocket(SshMount Mount, string Target, string? Agent);

/// <summary>
/// SSH mounts: which given agents (<c>--ssh</c>) a RUN gets, as BuildKit's exec op places them — the N-th ssh mount at
/// <c>/run/buildkit/ssh_agent.N</c> unless it names a target, and <c>SSH_AUTH_SOCK</c> naming the first one unless the
/// stage sets it — and the relaying sockets the runtime mounts.
/// </summary>
internal static class SshSockets
{
    public const string AuthSocketVariable = "SSH_AUTH_SOCK";

    /// <summary>The RUN's ssh mounts, checked before anything runs: a required one whose agent was not given is BuildKit's error.</summary>
    public static List<SshSocket> Find(IEnumerable<RunMount> mounts, RunInstruction run, IReadOnlyDictionary<string, string> agents)
    {
        var found = new List<SshSocket>();
        foreach (var mount in mounts.OfType<SshMount>())
        {
            var target = mount.Target is { } t ? t.StartsWith('/') ? t : "/" + t
                : "/run/buildkit/ssh_agent." + found.Count.ToString(CultureInfo.InvariantCulture);
            if (!agents.TryGetValue(mount.Id, out var agent) && mount.Required)
            {
                // BuildKit's two messages: no agent forwarded at all, or none of this id among those forwarded.
                var message = agents.Count == 0 ? $"no SSH key \"{mount.Id}\" forwarded from the client" : $"unset ssh forward key {mount.Id}";
                throw new DockerfileException(run.Location, $"{message} (give it with --ssh {mount.Id}=SOCKET, or --ssh {mount.Id} for $SSH_AUTH_SOCK)");
            }
            found.Add(new SshSocket(mount, target, agent));
        }
        return found;
    }

    /// <summary>The step's environment with <c>SSH_AUTH_SOCK</c> naming the first ssh mount, unless the stage sets it (BuildKit's exec op).</summary>
    public static void AddAuthSocket(IReadOnlyList<SshSocket> sockets, List<string> env)
    {
        if (sockets.Count == 0 || env.Any(e => e.StartsWith(AuthSocketVariable + "=", StringComparison.Ordinal))) return;
        env.Add(AuthSocketVariable + "=" + sockets[0].Target);
    }

    /// <summary>
    /// Starts a relaying socket in <paramref name="directory"/> (only its owner may enter it; the caller deletes it) for
    /// each given agent, with the mount's mode and owner (the owner only with <paramref name="canChown"/>), and adds it to
    /// <paramref name="files"/> for the runtime to bind. The proxies are added to <paramref name="started"/> as they start.
    /// </summary>
    public static void Start(IReadOnlyList<SshSocket> sockets, string directory, bool canChown, List<(string Destination, string Source, bool ReadOnly)> files, List<SshAgentProxy> started)
    {
        int n = 0;
        foreach (var socket in sockets)
        {
            if (socket.Agent is not { } agent) continue;
            var path = Path.Combine(directory, "ssh-" + (++n).ToString(CultureInfo.InvariantCulture));
            var proxy = SshAgentProxy.Start(agent, path, socket.Mount.Mode, socket.Mount.Uid, socket.Mount.Gid, canChown);
            started.Add(proxy);
            files.Add((socket.Target, path, false));
        }
    }
}
