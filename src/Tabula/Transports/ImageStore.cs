using Tabula.Archives;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Transports;

/// <summary>The local store as a whole: an OCI layout with names, image lookup, layer sizes and GC.</summary>
internal sealed class ImageStore
{
    private ImageStore(ContentStore content)
    {
        Content = content;
        References = new ReferenceStore(content);
        Resolver = new ImageResolver(content, References);
        Layout = new OciLayout(content);
        LayerStats = new LayerStatsCache(content);
        Collector = new GarbageCollector(content, References);
        Indexes = new StoredIndexes(content, References, Resolver);
    }

    public ContentStore Content { get; }
    public ReferenceStore References { get; }
    public ImageResolver Resolver { get; }
    public OciLayout Layout { get; }
    public LayerStatsCache LayerStats { get; }
    public GarbageCollector Collector { get; }

    /// <summary>Multi-platform images: an index under a name (<see cref="StoredIndexes.TagIndexAsync"/>), and what a name points at.</summary>
    public StoredIndexes Indexes { get; }

    public static ImageStore Open(string root) => new(ContentStore.Open(root));

    /// <summary>The store location: <c>--root</c>, else <c>TABULA_ROOT</c>, else <c>$XDG_DATA_HOME/tabula</c> (default <c>~/.local/share/tabula</c>).</summary>
    public static string DefaultRoot(Func<string, string?> environment)
    {
        if (environment("TABULA_ROOT") is { Length: > 0 } root) return root;
        var dataHome = environment("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(dataHome, "tabula");
    }

    public async Task<IImage> LoadAsync(StoredImage image, Platform? platform, CancellationToken cancellationToken)
        => await Layout.LoadImageAsync(image.Manifest, platform, cancellationToken).ConfigureAwait(false);

    /// <summary>The layer's unpacked sizes, from the cache or by reading its tar once.</summary>
    public async Task<LayerStats> GetLayerStatsAsync(ILayer layer, CancellationToken cancellationToken)
    {
        if (LayerStats.TryGet(layer.Digest) is { } known) return known;
        await using var tar = await layer.OpenUncompressedAsync(cancellationToken).ConfigureAwait(false);
        var stats = await LayerStatsCounter.CountAsync(tar, cancellationToken).ConfigureAwait(false);
        LayerStats.Set(layer.Digest, stats);
        return stats;
    }
}
