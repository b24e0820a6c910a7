using System.Text.Json;
using Tabula.Images;
using Tabula.Sbom;

namespace Tabula.Build.Attestations;

/// <summary>
/// <c>--attest type=sbom</c> without a generator: Tabula's own SPDX document (what <c>tabula sbom</c> writes) of the
/// image, and of each stage the scan args add, as statements; no container, no network. The build context, a folder
/// rather than an image, has no package database to read and gets no statement.
/// </summary>
internal static class OwnSbomGenerator
{
    public static async Task<IReadOnlyList<InTotoStatement>> GenerateAsync(SbomScanTargets targets, string imageName, bool ociMediaTypes, DateTimeOffset? epoch,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var statements = new List<InTotoStatement> { await StatementAsync(targets.Core, imageName, ociMediaTypes, epoch, cancellationToken).ConfigureAwait(false) };
        foreach (var (name, source) in targets.Extras)
            if (source.Layers is not null)
                statements.Add(await StatementAsync(source, "sbom-" + name, ociMediaTypes, epoch, cancellationToken).ConfigureAwait(false));
        return statements;
    }

    private static async Task<InTotoStatement> StatementAsync(ScanSource source, string name, bool ociMediaTypes, DateTimeOffset? epoch, CancellationToken cancellationToken)
    {
        var image = Image.Create(source.Config!, source.Layers!, ociMediaTypes);
        var document = await ImageSbom.CreateAsync(image, name, SbomFormat.SpdxJson, epoch, cancellationToken).ConfigureAwait(false);
        using var parsed = JsonDocument.Parse(document);
        return new InTotoStatement { PredicateType = InTotoStatement.SpdxPredicate, Predicate = parsed.RootElement.Clone() };
    }
}
