using Tabula.Content;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Sbom;
using Tabula.Transports;

namespace Tabula.Cli;

/// <summary>
/// An SBOM to attach to a pushed image: of <see cref="Format"/>, either made already (<see cref="Document"/>, as
/// <c>build --sbom</c> makes it once after the build) or made from the stored image when it is attached; its time is
/// <see cref="Epoch"/> (SOURCE_DATE_EPOCH, a build's --timestamp) when given, else the image's creation time.
/// </summary>
internal sealed record SbomAttachment(SbomFormat Format, byte[]? Document, DateTimeOffset? Epoch)
{
    /// <summary>What was attached: the artifact manifest's digest, the subject's, and the fallback tag when the registry has no referrers API.</summary>
    public sealed record Attached(Digest Digest, Digest Subject, string? FallbackTag);

    /// <summary>
    /// Attaches the SBOM to the manifest that was pushed. For a pushed index, the subject is the index's entry for the
    /// image the SBOM describes (the platform the store loads), so that the SBOM never speaks for other platforms.
    /// </summary>
    public async Task<Attached> AttachAsync(RegistryClient client, ImageStore store, StoredImage source, Platform? platform, ImageReference target, PushResult pushed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(pushed);
        var image = await store.LoadAsync(source, platform, ct).ConfigureAwait(false);
        var document = Document ?? await ImageSbom.CreateAsync(image, target.ToString(), Format, Epoch, ct).ConfigureAwait(false);
        var top = await client.GetManifestAsync(target.Repository, pushed.Digest.ToString(), ct).ConfigureAwait(false);
        var subject = top.IsIndex
            ? OciJson.DeserializeIndex(top.Bytes).Manifests.FirstOrDefault(m => m.Digest == image.ManifestDigest)
                ?? throw new UsageException($"--sbom: the pushed index {pushed.Digest} has no entry for the image the SBOM describes ({image.ManifestDigest}); push one platform with --platform")
            : top.Descriptor;
        var created = new Dictionary<string, string> { [AnnotationKeys.Created] = ImageSbom.Time(image, Epoch).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) };
        var (artifact, fallbackTag) = await ReferrerArtifacts.AttachAsync(client, target.Repository, subject, Format.MediaType(), document, created, ct).ConfigureAwait(false);
        return new Attached(artifact.Digest, subject.Digest, fallbackTag);
    }
}
