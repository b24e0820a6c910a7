using System.CommandLine;
using Tabula.Build;
using Tabula.Cli.Build;
using Tabula.Runtime;

namespace Tabula.Cli.Verbs;

/// <summary>
/// <c>tabula build</c>'s flags for further build inputs — named contexts (<c>--build-context</c>) and what RUN containers
/// get (<c>--add-host</c>, <c>--shm-size</c>, <c>--ulimit</c>, <c>--ssh</c>) — as buildx spells them; kept apart from the verb so its
/// other flags stay easy to read.
/// </summary>
internal sealed class BuildInputFlags
{
    private readonly Option<string[]> _contexts = new("--build-context")
    {
        Description = "A named context: NAME=DIR, NAME=docker-image://REF or NAME=oci-layout://DIR[:TAG|@DIGEST]; it replaces the stage, image or --from source NAME; repeatable",
    };
    private readonly Option<string[]> _addHosts = new("--add-host") { Description = "Add a line to /etc/hosts of RUN steps: HOST:IP; repeatable" };
    private readonly Option<string?> _shmSize = new("--shm-size") { Description = "Size of /dev/shm in RUN steps: bytes, or with a unit (128m, 1g); default 64m" };
    private readonly Option<string[]> _ssh = new("--ssh")
    {
        Description = "An SSH agent for RUN --mount=type=ssh: default or ID (the agent of $SSH_AUTH_SOCK), or ID=SOCKET; repeatable",
    };
    private readonly Option<string[]> _ulimits = new("--ulimit") { Description = "An rlimit of RUN processes: NAME=SOFT[:HARD] (e.g. nofile=1024:2048, -1 unlimited); repeatable" };

    public void AddTo(Command command)
    {
        command.Options.Add(_contexts);
        command.Options.Add(_addHosts);
        command.Options.Add(_shmSize);
        command.Options.Add(_ulimits);
        command.Options.Add(_ssh);
    }

    /// <summary>The options with these flags applied; a malformed value is a usage error.</summary>
    public BuildOptions Apply(ParseResult parse, BuildOptions options, Func<string, string?> environment)
    {
        try
        {
            return options with
            {
                NamedContexts = NamedContexts(parse.GetValue(_contexts) ?? []),
                SshAgents = SshAgentSpecs.Parse(parse.GetValue(_ssh) ?? [], environment),
                Sandbox = new SandboxSettings
                {
                    ExtraHosts = (parse.GetValue(_addHosts) ?? []).Select(HostEntry.Parse).ToList(),
                    ShmSize = parse.GetValue(_shmSize) is { } shm ? ShmSize(shm) : null,
                    Ulimits = (parse.GetValue(_ulimits) ?? []).Select(ProcessLimit.Parse).ToList(),
                },
            };
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static Dictionary<string, NamedContext> NamedContexts(IEnumerable<string> specs)
    {
        var result = new Dictionary<string, NamedContext>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            int eq = spec.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == spec.Length - 1) throw new FormatException($"invalid --build-context '{spec}': give NAME=VALUE");
            var key = NamedContext.Key(spec[..eq])
                ?? throw new FormatException($"invalid --build-context name '{spec[..eq]}': give a lower-case stage or image name (not scratch or context)");
            result[key] = NamedContext.Parse(spec[(eq + 1)..]);
        }
        return result;
    }

    private static long ShmSize(string text)
        => Tabula.Build.Mounts.MemorySize.Parse(text) is > 0 and var bytes ? bytes
            : throw new FormatException($"invalid --shm-size '{text}': give bytes or a size with a unit, e.g. 128m");
}
