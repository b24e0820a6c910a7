using Tabula.Oci;

namespace Tabula.Images;

/// <summary>
/// A single-platform image. The manifest and config are small and kept as their exact bytes beside the parsed
/// records: digests are always of those bytes, never of a re-serialisation.
/// </summary>
internal interface IImage
{
    ReadOnlyMemory<byte> RawManifest { get; }
    ImageManifest Manifest { get; }
    string ManifestMediaType { get; }

    ReadOnlyMemory<byte> RawConfig { get; }
    ImageConfig Config { get; }

    IReadOnlyList<ILayer> Layers { get; }

    Digest ManifestDigest => Digest.Compute(RawManifest.Span);

    /// <summary>The image ID docker shows: the digest of the config bytes.</summary>
    Digest ConfigDigest => Manifest.Config.Digest;

    Descriptor ManifestDescriptor => new() { MediaType = ManifestMediaType, Digest = ManifestDigest, Size = RawManifest.Length };
}
