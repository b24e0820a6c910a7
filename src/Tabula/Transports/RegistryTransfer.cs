using Tabula.Oci;

namespace Tabula.Transports;

/// <summary>
/// What happened to one blob or manifest moving to or from a registry, for progress display. <paramref name="Done"/>
/// is the bytes moved so far, for <see cref="TransferKind.Progress"/> and <see cref="TransferKind.Compressing"/> (0 otherwise).
/// <paramref name="From"/> is, for <see cref="TransferKind.Compressed"/>, the uncompressed layer's digest the blob was made
/// from, so a display can show one line per layer from compression to upload.
/// </summary>
public sealed record TransferEvent(TransferKind Kind, Digest Digest, long Size, long Done = 0, Digest? From = null);

public enum TransferKind
{
    /// <summary>The destination had it already.</summary>
    Exists,
    Downloaded,
    Uploaded,
    /// <summary>Mounted from another repository of the same registry: no bytes moved.</summary>
    Mounted,
    ManifestWritten,
    /// <summary>Bytes of the blob begin to move (again, after a retry): nothing done yet.</summary>
    Started,
    /// <summary>An uncompressed layer was compressed for the registry: <see cref="TransferEvent.Digest"/> is the compressed blob's.</summary>
    Compressed,
    /// <summary>Bytes of the blob are moving: <see cref="TransferEvent.Done"/> of <see cref="TransferEvent.Size"/> so far.</summary>
    Progress,
    /// <summary>
    /// An uncompressed layer is being gzipped for the registry: <see cref="TransferEvent.Digest"/> is its diff ID,
    /// <see cref="TransferEvent.Done"/> of <see cref="TransferEvent.Size"/> tar bytes read so far (0 when it begins).
    /// </summary>
    Compressing,
}

/// <summary>What a pull did: the store entry now carrying the name, and the image ID.</summary>
public sealed record PullResult(ImageReference Name, Descriptor Stored, Digest ImageId, bool Downloaded, Digest RemoteDigest);

/// <summary>What a push did: the manifest digest and size under the destination name.</summary>
public sealed record PushResult(ImageReference Destination, Digest Digest, long Size);
