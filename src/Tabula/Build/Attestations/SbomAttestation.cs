namespace Tabula.Build.Attestations;

/// <summary>
/// <c>--attest type=sbom[,generator=IMAGE][,KEY=VALUE…]</c>, as docker buildx passes BuildKit's <c>attest:sbom</c>:
/// with a <see cref="Generator"/>, that scanner image runs in a container over the image's filesystem (BuildKit's
/// contract); without one, Tabula's own SPDX generator writes the statement, with no container and no network.
/// </summary>
/// <param name="Parameters">The other attributes, given to a generator as <c>BUILDKIT_SCAN_KEY=VALUE</c>.</param>
public sealed record SbomAttestation(string? Generator, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>BuildKit's build arg naming whether (true/false) or for which stages (comma-separated) the build context is scanned too.</summary>
    public const string ScanContextArg = "BUILDKIT_SBOM_SCAN_CONTEXT";

    /// <summary>BuildKit's build arg naming whether (true/false) or for which stages a stage the image is built from is scanned too.</summary>
    public const string ScanStageArg = "BUILDKIT_SBOM_SCAN_STAGE";

    /// <summary>
    /// BuildKit's reading of those args: a Go boolean decides for every stage, any other value is a comma-separated
    /// list of the stages it turns on.
    /// </summary>
    public static bool EnabledForStage(string? stageName, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        switch (value)
        {
            case "1" or "t" or "T" or "true" or "TRUE" or "True": return true;
            case "0" or "f" or "F" or "false" or "FALSE" or "False": return false;
        }
        return stageName is not null && value.Split(',').Contains(stageName, StringComparer.Ordinal);
    }
}
