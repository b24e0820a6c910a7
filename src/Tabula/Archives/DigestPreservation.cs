namespace Tabula.Archives;

/// <summary>Why <c>--preserve-digests</c> cannot be honoured where it cannot (each a one-line error).</summary>
internal static class DigestPreservation
{
    public const string LegacyDockerArchive = "--preserve-digests: a docker-archive holds no manifest, so the image's digest cannot be kept there; use oci-archive (or save --format docker-oci), or drop --preserve-digests";

    public const string DockerDaemon = "--preserve-digests: docker load keeps no manifest, so the image's digest cannot be kept in the daemon; drop --preserve-digests";

    public const string UncompressedForRegistry = "--preserve-digests: the image has uncompressed layers, which a registry gets gzip-compressed under a new manifest; drop --preserve-digests, or copy an image with compressed layers";
}
