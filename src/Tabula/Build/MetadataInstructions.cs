using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;
using Tabula.Dockerfile.Syntax;
using Tabula.Oci;

namespace Tabula.Build;

/// <summary>
/// The instructions that change only the image config, applied as BuildKit applies them, each adding the history
/// entry BuildKit writes (DESIGN §4). Instructions arrive already expanded.
/// </summary>
internal static class MetadataInstructions
{
    public static bool TryApply(Instruction instruction, StageState stage, DateTimeOffset? created)
    {
        switch (instruction)
        {
            case EnvInstruction env:
                foreach (var pair in env.Pairs) stage.SetEnv(pair.Key, pair.Value);
                stage.AddHistory(env.HistoryText, true, created);
                return true;
            case LabelInstruction label:
                stage.SetContainer(c =>
                {
                    var labels = new SortedDictionary<string, string>(c.Labels?.ToDictionary() ?? [], StringComparer.Ordinal);
                    foreach (var pair in label.Pairs) labels[pair.Key] = pair.Value;
                    return c with { Labels = labels };
                });
                stage.AddHistory(label.HistoryText, true, created);
                return true;
            case CmdInstruction cmd:
            {
                var args = WithShell(cmd.Command, stage);
                stage.SetContainer(c => c with { Cmd = args, ArgsEscaped = true });
                stage.CmdSetInStage = true;
                stage.AddHistory("CMD " + GoQuote.QuoteList(args), true, created);
                return true;
            }
            case EntrypointInstruction entrypoint:
            {
                var args = WithShell(entrypoint.Command, stage);
                // Only CMD sets ArgsEscaped (BuildKit); an ENTRYPOINT leaves what the base or an earlier CMD set.
                stage.SetContainer(c => c with { Entrypoint = args, Cmd = stage.CmdSetInStage ? c.Cmd : null });
                stage.AddHistory("ENTRYPOINT " + GoQuote.QuoteList(args), true, created);
                return true;
            }
            case UserInstruction user:
                stage.SetContainer(c => c with { User = user.User });
                stage.AddHistory("USER " + user.User, true, created);
                return true;
            case ExposeInstruction expose:
            {
                // The parser sorted the words as written (as BuildKit's does); a range gives several ports.
                var ports = expose.Ports.SelectMany(p => PortSpecs(p, expose.Location)).ToList();
                stage.SetContainer(c =>
                {
                    var all = new SortedDictionary<string, EmptyObject>(c.ExposedPorts?.ToDictionary() ?? [], StringComparer.Ordinal);
                    foreach (var port in ports) all[port] = EmptyObject.Instance;
                    return c with { ExposedPorts = all };
                });
                stage.AddHistory("EXPOSE " + GoFormat.List(ports), true, created);
                return true;
            }
            case VolumeInstruction volume:
                if (volume.Volumes.Any(string.IsNullOrEmpty))
                    throw new DockerfileException(volume.Location, "VOLUME specified can not be an empty string");
                stage.SetContainer(c =>
                {
                    var all = new SortedDictionary<string, EmptyObject>(c.Volumes?.ToDictionary() ?? [], StringComparer.Ordinal);
                    foreach (var v in volume.Volumes) all[v] = EmptyObject.Instance;
                    return c with { Volumes = all };
                });
                stage.AddHistory("VOLUME " + GoFormat.List(volume.Volumes), true, created);
                return true;
            case StopSignalInstruction stop:
                if (!IsSignal(stop.Signal))
                    throw new DockerfileException(stop.Location, $"invalid signal: {stop.Signal}");
                stage.SetContainer(c => c with { StopSignal = stop.Signal });
                stage.AddHistory("STOPSIGNAL " + stop.Signal, true, created);
                return true;
            case HealthcheckInstruction health:
            {
                var h = health.Health;
                var config = new HealthConfig
                {
                    Test = h.Test,
                    Interval = NullIfZero(h.Interval.Nanoseconds),
                    Timeout = NullIfZero(h.Timeout.Nanoseconds),
                    StartPeriod = NullIfZero(h.StartPeriod.Nanoseconds),
                    StartInterval = NullIfZero(h.StartInterval.Nanoseconds),
                    Retries = h.Retries == 0 ? null : h.Retries,
                };
                stage.SetContainer(c => c with { Healthcheck = config });
                stage.AddHistory($"HEALTHCHECK {{Test:{GoFormat.List(h.Test)} Interval:{GoFormat.Duration(h.Interval.Nanoseconds)} Timeout:{GoFormat.Duration(h.Timeout.Nanoseconds)} StartPeriod:{GoFormat.Duration(h.StartPeriod.Nanoseconds)} StartInterval:{GoFormat.Duration(h.StartInterval.Nanoseconds)} Retries:{h.Retries}}}", true, created);
                return true;
            }
            case ShellInstruction shell:
                stage.SetContainer(c => c with { Shell = shell.Shell });
                stage.AddHistory("SHELL " + GoFormat.List(shell.Shell), true, created);
                return true;
            case OnbuildInstruction onbuild:
                stage.SetContainer(c => c with { OnBuild = [.. c.OnBuild ?? [], onbuild.Expression] });
                return true;
            case MaintainerInstruction maintainer:
                stage.Config = stage.Config with { Author = maintainer.Maintainer };
                stage.AddHistory("MAINTAINER " + maintainer.Maintainer, true, created);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Shell form runs through SHELL (default <c>/bin/sh -c</c>) with the words joined, as BuildKit does.</summary>
    public static IReadOnlyList<string> WithShell(CommandLine command, StageState stage)
    {
        if (!command.PrependShell) return command.Arguments;
        IReadOnlyList<string> shell = stage.Container.Shell is { Count: > 0 } s ? s : ["/bin/sh", "-c"];
        return [.. shell, string.Join(" ", command.Arguments)];
    }

    private static long? NullIfZero(long value) => value == 0 ? null : value;

    /// <summary>
    /// BuildKit's port spec: <c>[ip:][host:]port[-end][/proto]</c> becomes one <c>port/proto</c> per port of the range,
    /// numbers without leading zeros, the protocol (tcp, udp or sctp; tcp by default) lower-cased.
    /// </summary>
    private static IEnumerable<string> PortSpecs(string text, SourceLocation location)
    {
        var containerPart = text.Contains(':') ? text[(text.LastIndexOf(':') + 1)..] : text;
        var slash = containerPart.IndexOf('/');
        var port = slash < 0 ? containerPart : containerPart[..slash];
        var protocol = slash < 0 ? "tcp" : containerPart[(slash + 1)..].ToLowerInvariant();
        if (port.Length == 0)
            throw new DockerfileException(location, $"invalid port: \"{text}\": no port specified");
        if (protocol.Length == 0) protocol = "tcp";
        if (protocol is not ("tcp" or "udp" or "sctp"))
            throw new DockerfileException(location, $"invalid port: \"{text}\": invalid proto: {containerPart[(slash + 1)..]}");
        var bounds = port.Split('-', 2);
        if (!TryPort(bounds[0], out var start) || !TryPort(bounds.Length == 2 ? bounds[1] : bounds[0], out var end) || end < start)
            throw new DockerfileException(location, $"invalid containerPort: {port}");
        for (int p = start; p <= end; p++)
            yield return p.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/" + protocol;
    }

    private static bool TryPort(string text, out int port)
        => int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) && port is >= 0 and <= 65535;

    private static readonly HashSet<string> SignalNames = new(StringComparer.Ordinal)
    {
        "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR",
        "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
    };

    private static bool IsSignal(string signal)
    {
        if (int.TryParse(signal, out var number)) return number is > 0 and < 65;
        var name = signal.StartsWith("SIG", StringComparison.Ordinal) ? signal[3..] : signal;
        if (name.StartsWith("RTMIN", StringComparison.Ordinal) || name.StartsWith("RTMAX", StringComparison.Ordinal)) return true;
        return SignalNames.Contains(name);
    }
}
