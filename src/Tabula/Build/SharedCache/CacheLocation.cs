using Tabula.Oci;

namespace Tabula.Build.SharedCache;

/// <summary>Where a shared build cache lives: a registry reference or an OCI layout directory.</summary>
public abstract record CacheLocation
{
    /// <summary>How progress and warnings name it.</summary>
    public abstract string Display { get; }
}

/// <summary>A cache stored as an OCI artifact in a registry (<c>type=registry,ref=REF</c>).</summary>
public sealed record RegistryCacheLocation(ImageReference Reference) : CacheLocation
{
    public override string Display => Reference.ToString();
}

/// <summary>A cache in an OCI image layout directory (<c>type=local,src|dest=DIR</c>), named in its index by <paramref name="Tag"/>.</summary>
public sealed record LocalCacheLocation(string Directory, string Tag = LocalCacheLocation.DefaultTag) : CacheLocation
{
    public const string DefaultTag = "latest";

    public override string Display => Directory;
}

/// <summary>Which steps an export carries: <c>min</c> those of the final image's stages, <c>max</c> those of every stage.</summary>
public enum CacheMode
{
    Min,
    Max,
}

/// <summary>
/// One <c>--cache-to</c>. An export that fails warns and the build succeeds, unless <paramref name="IgnoreError"/> is false.
/// </summary>
public sealed record CacheExportTarget(CacheLocation Location, CacheMode Mode = CacheMode.Min, bool IgnoreError = true)
{
    /// <summary>The <see cref="Mounts"/> entry that names every cache mount the build's RUN steps use.</summary>
    public const string AllMounts = "*";

    /// <summary>
    /// The ids of the <c>RUN --mount=type=cache</c> directories the export carries, as tar blobs beside the layers
    /// (<c>mounts=ID[,ID…]</c>; <see cref="AllMounts"/> for every one); none by default.
    /// </summary>
    public IReadOnlyList<string> Mounts { get; init; } = [];

    /// <summary>Whether the cache mount of <paramref name="id"/> travels with this export.</summary>
    public bool CarriesMount(string id) => Mounts.Contains(AllMounts) || Mounts.Contains(id);
}
