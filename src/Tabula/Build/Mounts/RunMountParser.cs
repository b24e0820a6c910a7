using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;

namespace Tabula.Build.Mounts;

/// <summary>
/// Reads a RUN's <c>--mount</c> values into typed mounts, once per step, as BuildKit's parseMount does: each value
/// expanded with the stage's variables (but never <c>from=</c>), unknown keys and types refused with a suggestion,
/// BuildKit's defaults filled in. Every error is one line naming the RUN's Dockerfile line.
/// </summary>
internal static class RunMountParser
{
    private static readonly string[] Types = ["bind", "cache", "tmpfs", "secret", "ssh"];
    private static readonly string[] SharingModes = ["shared", "private", "locked"];
    private static readonly string[] Keys =
        ["type", "from", "source", "target", "readonly", "id", "sharing", "required", "size", "mode", "uid", "gid", "src", "dst", "destination", "ro", "rw", "readwrite", "env"];

    public static IReadOnlyList<RunMount> Parse(RunInstruction run, Func<string, string> expand)
    {
        var mounts = new List<RunMount>(run.Mounts.Count);
        foreach (var text in run.Mounts)
        {
            try
            {
                mounts.Add(ParseOne(text, expand));
            }
            catch (FormatException e)
            {
                throw new DockerfileException(run.Location, e.Message, e);
            }
        }
        return mounts;
    }

    /// <summary>The stages or images RUN mounts take content from (<c>from=</c>, never expanded), for choosing what to build.</summary>
    public static IEnumerable<string> Sources(RunInstruction run) =>
        run.Mounts.SelectMany(MountFields.Split).Where(f => f.Key == "from" && !string.IsNullOrEmpty(f.Value)).Select(f => f.Value!);

    private sealed class Fields
    {
        public string Type = "bind";
        public string? From, Source, Target, Id, Env, Sharing;
        public bool? ReadOnly;
        public bool Required;
        public long? Size;
        public int? Mode, Uid, Gid;
    }

    private static RunMount ParseOne(string text, Func<string, string> expand)
    {
        var m = new Fields();
        foreach (var (key, raw, field) in MountFields.Split(text))
        {
            if (raw is null)
            {
                switch (key)
                {
                    case "readonly" or "ro": m.ReadOnly = true; continue;
                    case "readwrite" or "rw": m.ReadOnly = false; continue;
                    case "required" when m.Type is "secret" or "ssh": m.Required = true; continue;
                    case "required": throw new FormatException($"unexpected key '{key}' for mount type '{m.Type}'");
                    default: throw new FormatException($"invalid field '{field}' must be a key=value pair");
                }
            }
            if (key == "from" && raw.IndexOf('$', StringComparison.Ordinal) is var dollar && dollar >= 0 && dollar != raw.Length - 1)
                throw new FormatException($"'{key}' doesn't support variable expansion, define alias stage instead");
            var value = key == "from" ? raw : expand(raw);
            switch (key)
            {
                case "type":
                    var type = value.ToLowerInvariant();
                    if (!Types.Contains(type)) throw new FormatException(Suggestion.WithHint($"unsupported mount type \"{value}\"", value, Types, caseSensitive: true));
                    m.Type = type;
                    break;
                case "from": m.From = value; break;
                case "source" or "src": m.Source = value; break;
                case "target" or "dst" or "destination": m.Target = value; break;
                case "readonly" or "ro": m.ReadOnly = Bool(key, value); break;
                case "readwrite" or "rw": m.ReadOnly = !Bool(key, value); break;
                case "required" when m.Type is "secret" or "ssh": m.Required = Bool(key, value); break;
                case "size" when m.Type == "tmpfs": m.Size = MemorySize.Parse(value) ?? throw new FormatException($"invalid value for {key}: {value}"); break;
                case "required" or "size": throw new FormatException($"unexpected key '{key}' for mount type '{m.Type}'");
                case "id": m.Id = value; break;
                case "sharing":
                    var sharing = value.ToLowerInvariant();
                    if (!SharingModes.Contains(sharing)) throw new FormatException(Suggestion.WithHint($"unsupported sharing value \"{value}\"", value, SharingModes, caseSensitive: true));
                    m.Sharing = sharing;
                    break;
                case "mode": m.Mode = Number(value, 8) ?? throw new FormatException($"invalid value {value} for mode"); break;
                case "uid": m.Uid = Number(value, 10) ?? throw new FormatException($"invalid value {value} for uid"); break;
                case "gid": m.Gid = Number(value, 10) ?? throw new FormatException($"invalid value {value} for gid"); break;
                case "env": m.Env = value; break;
                default: throw new FormatException(Suggestion.WithHint($"unexpected key '{key}' in '{field}'", key, Keys, caseSensitive: true));
            }
        }
        return Build(m);
    }

    private static RunMount Build(Fields m)
    {
        if (m.Type is "bind" or "tmpfs")
        {
            foreach (var (name, value) in new[] { ("mode", m.Mode), ("uid", m.Uid), ("gid", m.Gid) })
                if (value is not null) throw new FormatException($"{name} not allowed for \"{m.Type}\" type mounts");
        }
        if (m.Sharing is not null && m.Type != "cache") throw new FormatException($"invalid cache sharing set for {m.Type} mount");
        switch (m.Type)
        {
            case "secret":
                if (m.From is not null) throw new FormatException("secret mount should not have a from");
                if (string.IsNullOrEmpty(m.Source) && string.IsNullOrEmpty(m.Target) && string.IsNullOrEmpty(m.Id))
                    throw new FormatException("invalid secret mount. one of source, target required");
                if (!string.IsNullOrEmpty(m.Source) && !string.IsNullOrEmpty(m.Id)) throw new FormatException("both source and id can't be set");
                var id = !string.IsNullOrEmpty(m.Source) ? m.Source : !string.IsNullOrEmpty(m.Id) ? m.Id : BaseName(m.Target!);
                var env = m.Env is null ? null : m.Env.Length == 0 ? id : m.Env;
                var target = string.IsNullOrEmpty(m.Target) ? env is null ? "/run/secrets/" + BaseName(id) : null : m.Target;
                return new SecretMount(id, target, env, m.Required, m.Mode ?? 0b100_000_000, m.Uid ?? 0, m.Gid ?? 0);
            case "ssh":
                if (!string.IsNullOrEmpty(m.Source)) throw new FormatException("ssh does not support source");
                return new SshMount(string.IsNullOrEmpty(m.Id) ? "default" : m.Id, string.IsNullOrEmpty(m.Target) ? null : m.Target, m.Required, m.Mode ?? 0b110_000_000, m.Uid ?? 0, m.Gid ?? 0);
        }
        if (string.IsNullOrEmpty(m.Target)) throw new FormatException($"a target= is required for a {m.Type} mount");
        return m.Type switch
        {
            "tmpfs" => new TmpfsMount(m.Target, m.Size),
            "cache" => new CacheMount(m.Target, string.IsNullOrEmpty(m.Id) ? CleanPath(m.Target) : m.Id, CleanSource(m.Source), NullIfEmpty(m.From),
                m.Sharing switch { "private" => CacheSharing.Private, "locked" => CacheSharing.Locked, _ => CacheSharing.Shared },
                m.ReadOnly ?? false, m.Mode, m.Uid, m.Gid),
            _ => new BindMount(m.Target, CleanSource(m.Source), NullIfEmpty(m.From), !(m.ReadOnly ?? true)),
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>A source path inside its root, as BuildKit takes it (<c>path.Join("/", source)</c>), without the leading slash.</summary>
    private static string CleanSource(string? source) => Tabula.Layers.LayerPath.Clean(source ?? "");

    /// <summary>Go's <c>path.Clean</c>, the default cache id BuildKit takes from the target as written.</summary>
    private static string CleanPath(string path)
    {
        var clean = Tabula.Layers.LayerPath.Clean(path);
        return path.StartsWith('/') ? "/" + clean : clean.Length == 0 ? "." : clean;
    }

    private static string BaseName(string path) => Path.GetFileName(path.TrimEnd('/')) is { Length: > 0 } name ? name : "/";

    /// <summary>Go's strconv.ParseBool.</summary>
    private static bool Bool(string key, string value) => value switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => throw new FormatException($"invalid value for {key}: {value}"),
    };

    private static int? Number(string text, int radix)
    {
        if (text.Length == 0) return null;
        long value = 0;
        foreach (var c in text)
        {
            int digit = c - '0';
            if (digit < 0 || digit >= radix) return null;
            value = value * radix + digit;
            if (value > uint.MaxValue) return null;
        }
        return value > int.MaxValue ? null : (int)value;
    }
}
