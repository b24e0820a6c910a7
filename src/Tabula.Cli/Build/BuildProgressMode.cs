namespace Tabula.Cli.Build;

/// <summary>buildx's <c>--progress</c> values.</summary>
internal enum BuildProgressMode
{
    /// <summary><see cref="Tty"/> when the output is a terminal, else <see cref="Plain"/>.</summary>
    Auto,

    /// <summary>A live view redrawn in place, as BuildKit draws it on a terminal.</summary>
    Tty,

    /// <summary>The classic builder's lines (<c>Step 2/4 : …</c>), for logs and scripts.</summary>
    Plain,

    /// <summary>One JSON object per line per build event, for tools.</summary>
    RawJson,

    /// <summary>Only the image ID (as <c>-q</c>).</summary>
    Quiet,
}

internal static class BuildProgressModes
{
    public const string Accepted = "auto, tty, plain, rawjson or quiet";

    /// <summary>The flag's value, else <c>BUILDKIT_PROGRESS</c> (buildx's default), else auto; <c>-q</c> wins over both.</summary>
    public static BuildProgressMode Choose(string? flag, bool quiet, Func<string, string?> environment, bool terminal)
    {
        var text = flag ?? (environment("BUILDKIT_PROGRESS") is { Length: > 0 } variable ? variable : "auto");
        var mode = text switch
        {
            "auto" => BuildProgressMode.Auto,
            "tty" => BuildProgressMode.Tty,
            "plain" => BuildProgressMode.Plain,
            "rawjson" => BuildProgressMode.RawJson,
            "quiet" => BuildProgressMode.Quiet,
            _ => throw new UsageException($"unknown {(flag is null ? "BUILDKIT_PROGRESS" : "--progress")} '{text}': use {Accepted}"),
        };
        if (quiet) return BuildProgressMode.Quiet;
        return mode == BuildProgressMode.Auto ? terminal ? BuildProgressMode.Tty : BuildProgressMode.Plain : mode;
    }
}
