using System.Text.Json;
using System.Text.Json.Serialization;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Build.Attestations;

/// <summary>
/// BuildKit's attestation manifest: an image manifest whose layers are in-toto statements (one blob each, media type
/// <c>application/vnd.in-toto+json</c>, annotated with their predicate type) and whose config names the platform
/// <c>unknown/unknown</c>. Its index entry carries that platform too, and <c>vnd.docker.reference.type</c> =
/// <c>attestation-manifest</c> with <c>vnd.docker.reference.digest</c> = the image manifest it speaks about, so that
/// docker, containerd and tabula, choosing by platform, never take it for the image.
/// </summary>
internal static class AttestationManifest
{
    public const string ReferenceTypeAnnotation = "vnd.docker.reference.type";
    public const string ReferenceDigestAnnotation = "vnd.docker.reference.digest";
    public const string ReferenceType = "attestation-manifest";

    public static Platform Platform { get; } = new() { Os = "unknown", Architecture = "unknown" };

    /// <summary>
    /// Writes the statements (each without subjects given the image manifest as its subject, under each of the
    /// image's names, as BuildKit does) and the manifest into the store; returns the manifest's index entry.
    /// </summary>
    public static async Task<Descriptor> WriteAsync(ImageStore store, Descriptor image, Platform platform, IReadOnlyList<ImageReference> names,
        IReadOnlyList<InTotoStatement> statements, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(statements);
        var subjects = names.Select(n => new InTotoSubject(PackageUrl(n, platform), new Dictionary<string, string> { [image.Digest.Algorithm] = image.Digest.Encoded })).ToList();
        var layers = new List<Descriptor>();
        foreach (var statement in statements)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(statement.Subject is { Count: > 0 } ? statement : statement with { Subject = subjects }, InTotoJsonContext.Default.InTotoStatement);
            var digest = await store.Content.WriteBytesAsync(bytes, cancellationToken).ConfigureAwait(false);
            layers.Add(new Descriptor
            {
                MediaType = InTotoStatement.MediaType,
                Digest = digest,
                Size = bytes.Length,
                Annotations = new Dictionary<string, string> { [InTotoStatement.PredicateTypeAnnotation] = statement.PredicateType },
            });
        }
        bool oci = image.MediaType == MediaTypes.OciManifest;
        var config = JsonSerializer.SerializeToUtf8Bytes(new AttestationConfig { RootFs = new AttestationRootFs { DiffIds = [.. layers.Select(l => l.Digest.ToString())] } },
            InTotoJsonContext.Default.AttestationConfig);
        var configDigest = await store.Content.WriteBytesAsync(config, cancellationToken).ConfigureAwait(false);
        var manifest = OciJson.Serialize(new ImageManifest
        {
            MediaType = oci ? MediaTypes.OciManifest : MediaTypes.DockerManifest,
            Config = new Descriptor { MediaType = oci ? MediaTypes.OciConfig : MediaTypes.DockerConfig, Digest = configDigest, Size = config.Length },
            Layers = layers,
        });
        var manifestDigest = await store.Content.WriteBytesAsync(manifest, cancellationToken).ConfigureAwait(false);
        return new Descriptor
        {
            MediaType = oci ? MediaTypes.OciManifest : MediaTypes.DockerManifest,
            Digest = manifestDigest,
            Size = manifest.Length,
            Platform = Platform,
            Annotations = new Dictionary<string, string>
            {
                [ReferenceDigestAnnotation] = image.Digest.ToString(),
                [ReferenceTypeAnnotation] = ReferenceType,
            },
        };
    }

    /// <summary>Whether an index entry is an attestation manifest rather than an image.</summary>
    public static bool IsAttestation(Descriptor entry) => entry?.Annotation(ReferenceTypeAnnotation) == ReferenceType;

    /// <summary>The image's name as a docker package URL with its platform, as BuildKit names an attestation's subject.</summary>
    internal static string PackageUrl(ImageReference name, Platform platform)
    {
        var path = string.Join('/', name.FamiliarName.Split('/').Select(Sbom.PackageUrl.Encode));
        var version = name.Digest?.ToString() ?? name.Tag ?? ImageReference.DefaultTag;
        return $"pkg:docker/{path}@{Sbom.PackageUrl.Encode(version)}?platform={Sbom.PackageUrl.Encode(platform.ToString())}";
    }
}

/// <summary>An attestation manifest's config: the <c>unknown/unknown</c> platform and the statements as its "layers".</summary>
internal sealed record AttestationConfig
{
    [JsonPropertyName("architecture")] public string Architecture { get; init; } = "unknown";
    [JsonPropertyName("os")] public string Os { get; init; } = "unknown";
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; init; } = [];
    [JsonPropertyName("rootfs")] public required AttestationRootFs RootFs { get; init; }
}

internal sealed record AttestationRootFs
{
    [JsonPropertyName("type")] public string Type { get; init; } = "layers";
    [JsonPropertyName("diff_ids")] public required IReadOnlyList<string> DiffIds { get; init; }
}
