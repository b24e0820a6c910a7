using Tabula.Oci;

namespace Tabula.Content;

/// <summary>
/// An image that cannot be removed by ID because several names still point at it (docker's "conflict … must be
/// forced"): remove the names one by one, or force it.
/// </summary>
public sealed class ImageInUseException(Digest id, IReadOnlyList<ImageReference> names)
    : Exception($"image {id.Short} is referenced in multiple repositories ({string.Join(", ", names.Select(n => n.ToFamiliarString()))}); remove them by name, or use --force")
{
    public Digest Id { get; } = id;
    public IReadOnlyList<ImageReference> Names { get; } = names;
}
