using Tabula.Oci;

namespace Tabula.Transports;

/// <summary>What happened to one blob or manifest moving to or from a registry, for progress display.</summary>
public sealed record TransferEvent(TransferKind Kind, Digest Digest, long Size);

public enum TransferKind
{
    /// <summary>The destination had it already.</summary>
    Exists,
    Downloaded,
    Uploaded,
    /// <summary>Mounted from another repository of the same registry: no bytes moved.</summary>
    Mounted,
    ManifestWritten,
}

/// <summary>What a pull did: the store entry now carrying the name, and the image ID.</summary>
public sealed record PullResult(ImageReference Name, Descriptor Stored, Digest ImageId, bool Downloaded, Digest RemoteDigest);

/// <summary>What a push did: the manifest digest and size under the destination name.</summary>
public sealed record PushResult(ImageReference Destination, Digest Digest, long Size);
