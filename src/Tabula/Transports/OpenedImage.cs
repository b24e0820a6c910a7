using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Transports;

/// <summary>
/// An image read from some transport, with the names it carries there. Its layers stay readable until this is
/// disposed (an archive reader, a registry client or a spool file may be behind them).
/// </summary>
internal sealed class OpenedImage(IImage image, IReadOnlyList<ImageReference> names, IReadOnlyList<IDisposable> owned) : IDisposable
{
    public IImage Image { get; } = image;
    public IReadOnlyList<ImageReference> Names { get; } = names;

    public void Dispose()
    {
        foreach (var item in owned) item.Dispose();
    }
}
