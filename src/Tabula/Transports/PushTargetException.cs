using Tabula.Oci;

namespace Tabula.Transports;

/// <summary>A push to <c>NAME@DIGEST</c> where the image's manifest has another digest: nothing was pushed.</summary>
public sealed class PushTargetException(ImageReference destination, Digest actual)
    : Exception($"cannot push to {destination}: the image's manifest digest is {actual}")
{
    public ImageReference Destination { get; } = destination;
    public Digest Actual { get; } = actual;
}
