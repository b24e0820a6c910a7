using System.CommandLine;
using Tabula.Sbom;

namespace Tabula.Cli;

/// <summary><c>--sbom</c> and <c>--sbom-format</c> of <c>push</c> and <c>build</c>: attach an SBOM of the pushed image to it in the registry.</summary>
internal sealed class SbomFlags
{
    public Option<bool> Sbom { get; } = new("--sbom") { Description = "Attach an SBOM of the image to it in the registry (an OCI 1.1 artifact whose subject is the image; the sha256-DIGEST tag where the registry has no referrers API)" };
    public Option<string?> Format { get; } = new("--sbom-format") { Description = "With --sbom: 'spdx-json' (default) or 'cyclonedx-json'" };

    public void AddTo(Command command)
    {
        command.Options.Add(Sbom);
        command.Options.Add(Format);
    }

    /// <summary>The format asked for, or null without <c>--sbom</c>.</summary>
    public SbomFormat? Requested(ParseResult parse)
    {
        var format = parse.GetValue(Format);
        if (!parse.GetValue(Sbom))
            return format is null ? null : throw new UsageException("--sbom-format is for --sbom; add --sbom");
        return Parse(format, "--sbom-format");
    }

    public static SbomFormat Parse(string? text, string flag)
    {
        if (text is null) return SbomFormat.SpdxJson;
        return SbomFormats.TryParse(text, out var format) ? format : throw new UsageException($"{flag} '{text}': use 'spdx-json' or 'cyclonedx-json'");
    }

    /// <summary>The time an SBOM carries: SOURCE_DATE_EPOCH when set, else (null) the image's creation time.</summary>
    public static DateTimeOffset? Epoch(CliContext context) => Build.BuildFlagParsing.Timestamp(context.Environment("SOURCE_DATE_EPOCH"));
}
