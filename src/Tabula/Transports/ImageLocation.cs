using Tabula.Oci;

namespace Tabula.Transports;

/// <summary>The transports of <c>tabula copy</c>, named as skopeo names them, plus <c>store:</c> for the local store.</summary>
public enum TransportKind
{
    Registry,
    Store,
    OciLayout,
    OciArchive,
    DockerArchive,
    DockerDaemon,
}

/// <summary>
/// Where an image is: <c>docker://REF</c>, <c>store:NAME</c>, <c>oci:DIR[:TAG]</c>, <c>oci-archive:FILE[:TAG]</c>,
/// <c>docker-archive:FILE[:NAME]</c>, <c>docker-daemon:NAME</c>.
/// </summary>
internal sealed record ImageLocation(TransportKind Kind, string Path, string? Reference)
{
    public static ImageLocation Parse(string text)
    {
        if (text.StartsWith("docker://", StringComparison.Ordinal)) return new(TransportKind.Registry, "", text[9..]);
        if (text.StartsWith("store:", StringComparison.Ordinal)) return new(TransportKind.Store, "", text[6..]);
        if (text.StartsWith("docker-daemon:", StringComparison.Ordinal)) return new(TransportKind.DockerDaemon, "", text[14..]);
        foreach (var (prefix, kind) in new[] { ("oci:", TransportKind.OciLayout), ("oci-archive:", TransportKind.OciArchive), ("docker-archive:", TransportKind.DockerArchive) })
        {
            if (!text.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var rest = text[prefix.Length..];
            // FILE:REF — a reference may itself hold ':' (name:tag), so split at the first ':' after the path.
            int colon = rest.IndexOf(':');
            return colon < 0 ? new(kind, rest, null) : new(kind, rest[..colon], rest[(colon + 1)..] is { Length: > 0 } r ? r : null);
        }
        throw new FormatException($"invalid image location '{text}': use docker://REF, store:NAME, oci:DIR[:TAG], oci-archive:FILE[:TAG] docker-archive:FILE[:NAME] or docker-daemon:NAME");
    }

    private static readonly string[] Prefixes = ["docker://", "store:", "docker-daemon:", "oci:", "oci-archive:", "docker-archive:"];

    /// <summary>
    /// An image named where any transport may be read: a location with a transport prefix, else a name or ID in the
    /// local store (so <c>alpine:3.19</c> is the store's; a store image whose name starts like a transport is <c>store:NAME</c>).
    /// </summary>
    public static ImageLocation ParseOrStore(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Prefixes.Any(p => text.StartsWith(p, StringComparison.Ordinal)) ? Parse(text) : new(TransportKind.Store, "", text);
    }

    public ImageReference RegistryReference => ImageReference.Parse(Reference ?? throw new FormatException("docker:// needs an image reference"));

    public override string ToString() => Kind switch
    {
        TransportKind.Registry => "docker://" + Reference,
        TransportKind.Store => "store:" + Reference,
        TransportKind.OciLayout => "oci:" + Path + (Reference is null ? "" : ":" + Reference),
        TransportKind.OciArchive => "oci-archive:" + Path + (Reference is null ? "" : ":" + Reference),
        TransportKind.DockerDaemon => "docker-daemon:" + Reference,
        _ => "docker-archive:" + Path + (Reference is null ? "" : ":" + Reference),
    };
}
