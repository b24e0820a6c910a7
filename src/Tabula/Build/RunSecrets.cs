using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;

namespace Tabula.Build;

/// <summary>
/// <c>RUN --mount=type=secret</c>: a file given to the build with <c>--secret id=ID,src=PATH</c> is mounted
/// read-only at <c>/run/secrets/ID</c> (or <c>target=</c>) for that one command, and is in no layer and no
/// cache key. Without the secret the mount is skipped, unless <c>required</c> says it must be there.
/// Other mount types are refused with the instruction's location.
/// </summary>
internal static class RunSecrets
{
    public static List<(string Destination, string Source, bool ReadOnly)> Mounts(RunInstruction run, IReadOnlyDictionary<string, string> secrets)
    {
        var mounts = new List<(string, string, bool)>();
        foreach (var mount in run.Mounts)
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var field in mount.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = field.IndexOf('=');
                fields[(eq < 0 ? field : field[..eq]).Trim().ToLowerInvariant()] = eq < 0 ? "true" : field[(eq + 1)..];
            }
            var type = fields.GetValueOrDefault("type", "bind");
            if (type != "secret")
                throw new DockerfileException(run.Location, $"RUN --mount=type={type} is not supported yet (only type=secret is): copy what the command needs with COPY");
            var target = fields.GetValueOrDefault("target") ?? fields.GetValueOrDefault("dst") ?? fields.GetValueOrDefault("destination");
            var id = fields.GetValueOrDefault("id") ?? (target is null ? null : Path.GetFileName(target.TrimEnd('/')));
            if (string.IsNullOrEmpty(id))
                throw new DockerfileException(run.Location, "RUN --mount=type=secret needs an id= (or a target= to take it from)");
            target ??= "/run/secrets/" + id;
            bool required = fields.TryGetValue("required", out var r) && r is "true" or "1";
            if (!secrets.TryGetValue(id, out var source) || !File.Exists(source))
            {
                if (required)
                    throw new DockerfileException(run.Location, $"secret {id} not found: give it with --secret id={id},src=FILE");
                continue;
            }
            mounts.Add((target.StartsWith('/') ? target : "/" + target, Path.GetFullPath(source), true));
        }
        return mounts;
    }
}
