namespace Tabula.Cli.Build;

/// <summary>Where buildx's <c>-o/--output</c> sends the built image.</summary>
internal enum BuildOutputType
{
    /// <summary>The store (the default), named with <c>-t</c> and <c>name=</c>, pushed with <c>push=true</c>.</summary>
    Image,

    /// <summary>A docker-archive tar, as <c>docker save</c> writes it.</summary>
    Docker,

    /// <summary>An OCI image layout in a tar.</summary>
    Oci,

    /// <summary>The image's filesystem, flattened, as one tar.</summary>
    Tar,

    /// <summary>The image's filesystem, flattened, into a folder.</summary>
    Local,
}

/// <summary>
/// One <c>-o</c>: <c>type=TYPE[,dest=PATH][,name=NAME][,push=true]</c> (CSV, so <c>"name=a,b"</c> quoted gives two names),
/// or a bare <c>DIR</c> for <c>type=local,dest=DIR</c> and <c>-</c> for a tar on stdout, as buildx reads it.
/// </summary>
internal sealed record BuildOutput(BuildOutputType Type, string? Destination, IReadOnlyList<string> Names, bool Push)
{
    public static BuildOutput Default { get; } = new(BuildOutputType.Image, null, [], false);

    /// <summary>An archive with no file to go to goes to stdout (as buildx), which must then not be a terminal.</summary>
    public bool ToStdout => Type is BuildOutputType.Docker or BuildOutputType.Oci or BuildOutputType.Tar && Destination is null or "-";

    public static BuildOutput Parse(string text)
    {
        if (text == "-") return new BuildOutput(BuildOutputType.Tar, null, [], false);
        if (!text.Contains('=', StringComparison.Ordinal) && !text.Contains(',', StringComparison.Ordinal))
            return new BuildOutput(BuildOutputType.Local, text, [], false);
        var fields = CsvFlag.Pairs(text, "-o");
        var type = fields.GetValueOrDefault("type") switch
        {
            "image" => BuildOutputType.Image,
            "registry" => BuildOutputType.Image,
            "docker" => BuildOutputType.Docker,
            "oci" => BuildOutputType.Oci,
            "tar" => BuildOutputType.Tar,
            "local" => BuildOutputType.Local,
            null => throw Invalid(text, "give type=image, registry, docker, oci, tar or local"),
            var other => throw Invalid(text, $"unknown type '{other}': use image, registry, docker, oci, tar or local"),
        };
        bool push = fields.GetValueOrDefault("type") == "registry" || fields.TryGetValue("push", out var pushText) && ParseBool(text, pushText);
        var names = fields.TryGetValue("name", out var nameText) ? nameText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
        var unknown = fields.Keys.Except(["type", "dest", "name", "push"]).FirstOrDefault();
        if (unknown is not null) throw Invalid(text, $"'{unknown}' is not an attribute tabula knows: it takes type, dest, name and push");
        fields.TryGetValue("dest", out var destination);
        if (type == BuildOutputType.Image && destination is not null) throw Invalid(text, "type=image has no dest: the image goes to the store");
        if (type != BuildOutputType.Image && push) throw Invalid(text, $"push=true goes with type=image; type={fields["type"]} writes only to its dest");
        if (type == BuildOutputType.Local && string.IsNullOrEmpty(destination)) throw Invalid(text, "type=local needs dest=DIR");
        if (type is BuildOutputType.Tar or BuildOutputType.Local && names.Length > 0) throw Invalid(text, $"type={fields["type"]} writes a filesystem, which has no name");
        return new BuildOutput(type, destination is "" ? null : destination, names, push);
    }

    private static bool ParseBool(string text, string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => throw Invalid(text, $"push={value} is not true or false"),
    };

    private static UsageException Invalid(string text, string why) => new($"invalid -o '{text}': {why}");
}
