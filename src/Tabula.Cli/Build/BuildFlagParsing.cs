using System.Globalization;
using Tabula.Layers;
using Tabula.Oci;

namespace Tabula.Cli.Build;

/// <summary>The values of docker build's flags, read as docker reads them; a bad one is a <see cref="UsageException"/>.</summary>
internal static class BuildFlagParsing
{
    /// <summary>docker's <c>--secret id=ID,src=FILE</c> (also <c>source=</c>) or <c>id=ID,env=VARIABLE</c>; a bare id reads the variable of that name.</summary>
    public static Dictionary<string, string> Secrets(IEnumerable<string> specs, Func<string, string?> environment, TemporarySecretFiles files)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var fields = spec.Split(',').Select(f => f.Split('=', 2)).ToDictionary(f => f[0].Trim(), f => f.Length == 2 ? f[1] : "", StringComparer.Ordinal);
            if (!fields.TryGetValue("id", out var id) || id.Length == 0)
                throw new UsageException($"invalid --secret '{spec}': give id=ID,src=FILE or id=ID,env=VARIABLE");
            if ((fields.GetValueOrDefault("src") ?? fields.GetValueOrDefault("source")) is { Length: > 0 } source)
            {
                if (!File.Exists(source)) throw new UsageException($"--secret {id}: {source} does not exist");
                result[id] = source;
            }
            else if (environment(fields.GetValueOrDefault("env") ?? id) is { } value)
            {
                result[id] = files.Write(value);
            }
            else
            {
                throw new UsageException($"--secret {id}: no src= file and no environment variable {fields.GetValueOrDefault("env") ?? id}");
            }
        }
        return result;
    }

    public static ImageReference Tag(string text)
    {
        var reference = ImageReference.Parse(text);
        if (reference.Digest is not null) throw new UsageException($"invalid tag '{text}': a tag cannot contain a digest");
        return reference;
    }

    public static Dictionary<string, string> BuildArgs(IEnumerable<string> args, Func<string, string?> environment)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var arg in args)
        {
            int eq = arg.IndexOf('=');
            if (eq > 0) result[arg[..eq]] = arg[(eq + 1)..];
            else if (environment(arg) is { } fromEnvironment) result[arg] = fromEnvironment;
        }
        return result;
    }

    /// <summary>docker build's <c>--label</c>: <c>KEY=VALUE</c>, or a bare <c>KEY</c> for an empty value; the last one of a key wins.</summary>
    public static Dictionary<string, string> Labels(IEnumerable<string> labels)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            int eq = label.IndexOf('=');
            if (eq == 0) throw new UsageException($"invalid --label '{label}': give KEY=VALUE");
            if (eq > 0) result[label[..eq]] = label[(eq + 1)..];
            else result[label] = "";
        }
        return result;
    }

    public static DateTimeOffset? Timestamp(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || !LayerTimes.InRange(seconds))
            throw new UsageException($"invalid timestamp '{text}': give whole seconds since the Unix epoch (as SOURCE_DATE_EPOCH), at most {LayerTimes.MaxUnixSeconds} (the end of year 9999)");
        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }
}
