using System.Net;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Transports;

/// <summary>
/// Artifacts attached to an image in a registry as OCI 1.1 defines them (an SBOM, a provenance statement): a manifest
/// with an <c>artifactType</c>, the empty config, one layer (the document) and a <c>subject</c> naming the image's
/// manifest; found through the referrers API, or where a registry has none (Docker's distribution 2.x), through the
/// fallback tag <c>sha256-HEX</c>, an index listing the subject's referrers. Never an entry of the image's own index.
/// </summary>
internal static class ReferrerArtifacts
{
    /// <summary>The empty JSON object <c>{}</c>, the config of an artifact that has none.</summary>
    private static readonly byte[] EmptyConfig = "{}"u8.ToArray();

    /// <summary>The largest attached document read back.</summary>
    public const int MaxArtifactBytes = 64 << 20;

    /// <summary>The tag a registry without the referrers API lists a subject's referrers under.</summary>
    public static string FallbackTag(Digest subject) => $"{subject.Algorithm}-{subject.Encoded}";

    /// <summary>
    /// Pushes <paramref name="content"/> as an artifact of <paramref name="artifactType"/> whose subject is
    /// <paramref name="subject"/>, by digest; then, unless the registry answered with <c>OCI-Subject</c>, adds it to
    /// the fallback tag's index (read, add, write: what another writer adds between the two is lost, as with every
    /// client of that scheme). Returns the artifact manifest's descriptor, and the fallback tag when it was used.
    /// </summary>
    public static async Task<(Descriptor Artifact, string? FallbackTag)> AttachAsync(RegistryClient client, string repository, Descriptor subject, string artifactType, byte[] content,
        IReadOnlyDictionary<string, string>? annotations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(content);
        var config = new Descriptor { MediaType = MediaTypes.OciEmpty, Digest = Digest.Compute(EmptyConfig), Size = EmptyConfig.Length };
        var layer = new Descriptor { MediaType = artifactType, Digest = Digest.Compute(content), Size = content.Length };
        await client.UploadBlobAsync(repository, config.Digest, config.Size, _ => Task.FromResult<Stream>(new MemoryStream(EmptyConfig, writable: false)), null, cancellationToken).ConfigureAwait(false);
        await client.UploadBlobAsync(repository, layer.Digest, layer.Size, _ => Task.FromResult<Stream>(new MemoryStream(content, writable: false)), null, cancellationToken).ConfigureAwait(false);
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            ArtifactType = artifactType,
            Config = config,
            Layers = [layer],
            Subject = new Descriptor { MediaType = subject.MediaType, Digest = subject.Digest, Size = subject.Size },
            Annotations = annotations is { Count: > 0 } ? new SortedDictionary<string, string>(annotations.ToDictionary(), StringComparer.Ordinal) : null,
        };
        var bytes = OciJson.Serialize(manifest);
        var (digest, acknowledged) = await client.PutManifestWithSubjectAsync(repository, Digest.Compute(bytes).ToString(), bytes, MediaTypes.OciManifest, cancellationToken).ConfigureAwait(false);
        var artifact = new Descriptor { MediaType = MediaTypes.OciManifest, Digest = digest, Size = bytes.Length, ArtifactType = artifactType, Annotations = manifest.Annotations };
        if (acknowledged == subject.Digest) return (artifact, null);
        await AddToFallbackTagAsync(client, repository, subject.Digest, artifact, cancellationToken).ConfigureAwait(false);
        return (artifact, FallbackTag(subject.Digest));
    }

    private static async Task AddToFallbackTagAsync(RegistryClient client, string repository, Digest subject, Descriptor artifact, CancellationToken cancellationToken)
    {
        var tag = FallbackTag(subject);
        var existing = await FallbackIndexAsync(client, repository, subject, cancellationToken).ConfigureAwait(false);
        if (existing?.Manifests.Any(m => m.Digest == artifact.Digest) == true) return;
        var index = new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = [.. existing?.Manifests ?? [], artifact] };
        await client.PutManifestAsync(repository, tag, OciJson.Serialize(index), MediaTypes.OciIndex, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The fallback tag's index, or null when the tag does not exist.</summary>
    private static async Task<ImageIndex?> FallbackIndexAsync(RegistryClient client, string repository, Digest subject, CancellationToken cancellationToken)
    {
        RegistryManifest found;
        try
        {
            found = await client.GetManifestAsync(repository, FallbackTag(subject), cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (!found.IsIndex) throw new RegistryException($"{client.Registry}/{repository}:{FallbackTag(subject)} is not an index of referrers but a {found.MediaType}; it was left as it is");
        return OciJson.DeserializeIndex(found.Bytes);
    }

    /// <summary>The artifacts attached to <paramref name="subject"/> with one of <paramref name="artifactTypes"/>: referrers API first, then the fallback tag.</summary>
    public static async Task<IReadOnlyList<Descriptor>> FindAsync(RegistryClient client, string repository, Digest subject, IReadOnlyCollection<string> artifactTypes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(artifactTypes);
        var index = await client.GetReferrersAsync(repository, subject, artifactTypes.Count == 1 ? artifactTypes.First() : null, cancellationToken).ConfigureAwait(false)
            ?? await FallbackIndexAsync(client, repository, subject, cancellationToken).ConfigureAwait(false);
        return [.. (index?.Manifests ?? []).Where(m => m.ArtifactType is { } type && artifactTypes.Contains(type))];
    }

    /// <summary>The document an artifact manifest carries (its one layer), its digest checked as it is read.</summary>
    public static async Task<byte[]> ReadAsync(RegistryClient client, string repository, Descriptor artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(artifact);
        var found = await client.GetManifestAsync(repository, artifact.Digest.ToString(), cancellationToken).ConfigureAwait(false);
        var manifest = OciJson.DeserializeManifest(found.Bytes);
        if (manifest.Layers is not [var layer, ..])
            throw new RegistryException($"{client.Registry}/{repository}@{artifact.Digest}: the artifact has no layer to read");
        if (layer.Size > MaxArtifactBytes)
            throw new RegistryException($"{client.Registry}/{repository}@{artifact.Digest}: its document is {layer.Size} bytes, more than {MaxArtifactBytes}");
        await using var blob = await client.OpenBlobAsync(repository, layer.Digest, layer.Size, cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream((int)layer.Size);
        await blob.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
