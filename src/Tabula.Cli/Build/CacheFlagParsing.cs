using Tabula.Build.SharedCache;
using Tabula.Oci;

namespace Tabula.Cli.Build;

/// <summary>
/// buildx's <c>--cache-from</c> and <c>--cache-to</c>: <c>type=registry,ref=REF</c> (a bare <c>REF</c> too, for
/// <c>--cache-from</c>) and <c>type=local,src=DIR</c> / <c>type=local,dest=DIR</c>, with <c>mode=min|max</c> and
/// <c>ignore-error=</c> for an export. Unlike buildx, a failed export only warns unless <c>ignore-error=false</c>.
/// tabula's own <c>mounts=ID[,ID…]</c> (or <c>mounts=*</c>) names the <c>RUN --mount=type=cache</c> directories an export
/// carries; the ids after <c>mounts=</c> may follow unquoted (<c>mounts=dl,pip</c>), since a bare field is never a key.
/// </summary>
internal static class CacheFlagParsing
{
    // Always so here (the artifact is an OCI manifest): accepted so buildx scripts run unchanged.
    private static readonly string[] AcceptedNoOps = ["oci-mediatypes", "image-manifest"];

    public static CacheLocation From(string text)
    {
        const string flag = "--cache-from";
        if (!text.Contains('=', StringComparison.Ordinal)) return new RegistryCacheLocation(Reference(text, text, flag));
        var fields = CsvFlag.Pairs(text, flag);
        CheckKnown(text, flag, fields, "type", "ref", "src", "tag");
        return Location(text, flag, fields, "src");
    }

    public static CacheExportTarget To(string text)
    {
        const string flag = "--cache-to";
        var (rest, mounts) = SplitMounts(text, flag);
        var fields = CsvFlag.Pairs(rest, flag);
        CheckKnown(text, flag, fields, "type", "ref", "dest", "tag", "mode", "ignore-error", MountsKey);
        var mode = fields.GetValueOrDefault("mode") switch
        {
            null or "min" => CacheMode.Min,
            "max" => CacheMode.Max,
            var other => throw Invalid(text, flag, $"mode={other}: use min or max"),
        };
        bool ignoreError = fields.GetValueOrDefault("ignore-error")?.ToLowerInvariant() switch
        {
            null or "true" or "1" => true,
            "false" or "0" => false,
            var other => throw Invalid(text, flag, $"ignore-error={other} is not true or false"),
        };
        return new CacheExportTarget(Location(text, flag, fields, "dest"), mode, ignoreError) { Mounts = mounts };
    }

    private const string MountsKey = "mounts";

    /// <summary>
    /// The cache-mount ids of <c>mounts=</c> (repeatable; a quoted value or the bare fields after it hold more ids) and
    /// the other fields, joined back for <see cref="CsvFlag.Pairs"/>.
    /// </summary>
    private static (string Others, IReadOnlyList<string> Mounts) SplitMounts(string text, string flag)
    {
        var rest = new List<string>();
        var mounts = new List<string>();
        bool inMounts = false;
        foreach (var field in CsvFlag.Fields(text, flag))
        {
            var pair = field.Split('=', 2);
            if (pair.Length == 2 && pair[0].Trim().Equals(MountsKey, StringComparison.OrdinalIgnoreCase))
            {
                inMounts = true;
                mounts.AddRange(pair[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
            else if (pair.Length == 1 && inMounts) mounts.Add(field.Trim());
            else
            {
                inMounts = false;
                rest.Add(field.Contains(',', StringComparison.Ordinal) ? $"\"{field}\"" : field);
            }
        }
        if (mounts.Contains(CacheExportTarget.AllMounts) && mounts.Count > 1)
            throw Invalid(text, flag, $"mounts={CacheExportTarget.AllMounts} already names every cache mount: give it alone");
        return (string.Join(',', rest), mounts.Distinct(StringComparer.Ordinal).ToList());
    }

    private static CacheLocation Location(string text, string flag, Dictionary<string, string> fields, string directoryKey)
    {
        switch (fields.GetValueOrDefault("type"))
        {
            case "registry":
                if (fields.GetValueOrDefault("ref") is not { Length: > 0 } reference) throw Invalid(text, flag, "type=registry needs ref=REGISTRY/REPOSITORY[:TAG]");
                return new RegistryCacheLocation(Reference(reference, text, flag));
            case "local":
                if (fields.GetValueOrDefault(directoryKey) is not { Length: > 0 } directory) throw Invalid(text, flag, $"type=local needs {directoryKey}=DIR");
                return new LocalCacheLocation(Path.GetFullPath(directory), fields.GetValueOrDefault("tag") is { Length: > 0 } tag ? tag : LocalCacheLocation.DefaultTag);
            case null:
                throw Invalid(text, flag, "give type=registry,ref=REF or type=local," + directoryKey + "=DIR");
            case var other:
                throw Invalid(text, flag, $"type={other} is not one tabula has: use registry or local");
        }
    }

    private static ImageReference Reference(string reference, string text, string flag)
    {
        try
        {
            return ImageReference.Parse(reference);
        }
        catch (FormatException e)
        {
            throw Invalid(text, flag, e.Message);
        }
    }

    private static void CheckKnown(string text, string flag, Dictionary<string, string> fields, params string[] known)
    {
        var unknown = fields.Keys.Except(known).Except(AcceptedNoOps).FirstOrDefault();
        if (unknown is not null) throw Invalid(text, flag, $"'{unknown}' is not an attribute tabula knows: it takes {string.Join(", ", known)}");
    }

    private static UsageException Invalid(string text, string flag, string why) => new($"invalid {flag} '{text}': {why}");
}
