namespace Tabula.Runtime;

/// <summary>How a container's root filesystem is made from an image's layers.</summary>
public enum Snapshotter
{
    /// <summary>Overlay where this machine allows it, else copy.</summary>
    Auto,

    /// <summary>An overlay of the store's snapshots; the step's changes are the upper directory. Fails where overlayfs cannot be mounted.</summary>
    Overlay,

    /// <summary>The layers unpacked into a fresh directory each time; the changes found by comparing it with the layers.</summary>
    Copy,
}
