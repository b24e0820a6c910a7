using Tabula.Transports;

namespace Tabula.Build;

/// <summary>
/// Bytes of a base image moving while a stage's FROM pulls it from its registry: the same events <c>pull</c> shows
/// (one blob each), with the stage and the image they belong to.
/// </summary>
public sealed record BaseImageTransfer(int Stage, string Image, TransferEvent Transfer) : BuildEvent;

/// <summary>Passes a pull's events on, synchronously and in order, as the build's own.</summary>
internal sealed class BaseImageProgress(int stage, string image, IProgress<BuildEvent> build) : IProgress<TransferEvent>
{
    public void Report(TransferEvent value) => build.Report(new BaseImageTransfer(stage, image, value));
}
