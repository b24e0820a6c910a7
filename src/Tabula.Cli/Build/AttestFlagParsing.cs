using Tabula.Build.Attestations;

namespace Tabula.Cli.Build;

/// <summary>
/// buildx's <c>--attest type=sbom[,generator=IMAGE][,disabled=true][,KEY=VALUE…]</c>. Only SBOM attestations are made;
/// buildx's <c>--sbom=true</c> shorthand is not taken, since tabula's <c>--sbom</c> attaches an SBOM through the referrers API.
/// </summary>
internal static class AttestFlagParsing
{
    /// <returns>The SBOM attestation asked for (the last <c>type=sbom</c> wins, as in buildx), or null.</returns>
    public static SbomAttestation? Sbom(IEnumerable<string> values)
    {
        SbomAttestation? sbom = null;
        foreach (var text in values)
        {
            var fields = CsvFlag.Pairs(text, "--attest");
            switch (fields.GetValueOrDefault("type"))
            {
                case "sbom": break;
                case null: throw new UsageException($"invalid --attest '{text}': give type=sbom");
                case var other: throw new UsageException($"invalid --attest '{text}': tabula makes type=sbom attestations only, not type={other}");
            }
            if (fields.TryGetValue("disabled", out var disabled))
            {
                if (disabled is "true" or "1") { sbom = null; continue; }
                if (disabled is not ("false" or "0")) throw new UsageException($"invalid --attest '{text}': disabled={disabled} is not true or false");
            }
            var generator = fields.GetValueOrDefault("generator");
            if (generator is "") throw new UsageException($"invalid --attest '{text}': generator= needs an image name");
            var parameters = fields.Where(f => f.Key is not ("type" or "generator" or "disabled")).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
            sbom = new SbomAttestation(generator, parameters);
        }
        return sbom;
    }
}
