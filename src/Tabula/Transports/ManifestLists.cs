using Tabula.Images;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Transports;

/// <summary>
/// <c>tabula manifest</c>: a manifest list (an OCI image index) assembled in the store from existing images, as
/// <c>docker manifest</c> and <c>buildah manifest</c> assemble one. It is an image of the store like any other (listed,
/// pushed, run for a platform). Images named at another transport (<c>docker://REF</c>, <c>oci:DIR</c>, archives) are
/// copied into the store first, so the list can be pushed anywhere and every entry is known by its config's platform.
/// Each edit writes a new index and moves the name; the previous version is dropped unless another name keeps it.
/// </summary>
internal sealed class ManifestLists(ImageStore store, ImageSources sources, Func<string, RegistryClient> registryClient)
{
    /// <summary>A new list of the images at <paramref name="locations"/>; with <paramref name="amend"/>, added to the list of that name.</summary>
    public async Task<Descriptor> CreateAsync(ImageReference name, IReadOnlyList<ImageLocation> locations, bool amend, bool all, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(locations);
        var existing = await store.Resolver.TryResolveAsync(name.ToString(), cancellationToken).ConfigureAwait(false);
        if (existing is not null && !amend)
            throw new ManifestListException($"{name.ToFamiliarString()} already exists in the store: add to it with --amend or 'tabula manifest add', or remove it with 'tabula manifest rm'");
        var index = existing is null ? ImageIndexEdits.Create([]) : await ReadListAsync(name, cancellationToken).ConfigureAwait(false);
        using var lease = await store.Content.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false);
        foreach (var location in locations)
            foreach (var entry in await EntriesAsync(location, null, all, cancellationToken).ConfigureAwait(false))
                index = index.WithManifest(entry);
        return await SaveAsync(name, index, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds the image at <paramref name="location"/> (an index's image for <paramref name="platform"/>, or all of them), its platform overridden as asked.</summary>
    public async Task<Descriptor> AddAsync(ImageReference name, ImageLocation location, Platform? platform, bool all, Func<Platform, Platform> overrides, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var index = await ReadListAsync(name, cancellationToken).ConfigureAwait(false);
        using var lease = await store.Content.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false);
        foreach (var entry in await EntriesAsync(location, platform, all, cancellationToken).ConfigureAwait(false))
            index = index.WithManifest(entry with { Platform = overrides(entry.Platform ?? new Platform()) });
        return await SaveAsync(name, index, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>More annotations (and another platform, when asked) on the entry <paramref name="digest"/>, or on the index itself when null.</summary>
    public async Task<Descriptor> AnnotateAsync(ImageReference name, Digest? digest, IReadOnlyDictionary<string, string> annotations, Func<Platform, Platform>? overrides, CancellationToken cancellationToken)
    {
        var index = await ReadListAsync(name, cancellationToken).ConfigureAwait(false);
        Platform? platform = digest is { } d && overrides is not null ? overrides(index.Entry(d).Platform ?? new Platform()) : null;
        return await SaveAsync(name, index.Annotate(digest, annotations, platform), cancellationToken).ConfigureAwait(false);
    }

    public async Task<Descriptor> RemoveAsync(ImageReference name, Digest digest, CancellationToken cancellationToken)
        => await SaveAsync(name, (await ReadListAsync(name, cancellationToken).ConfigureAwait(false)).WithoutManifest(digest), cancellationToken).ConfigureAwait(false);

    /// <summary>The list's exact bytes.</summary>
    public async Task<ManifestBlob> InspectAsync(ImageReference name, CancellationToken cancellationToken)
    {
        var (_, blob) = await store.Indexes.ResolveAsync(name.ToString(), cancellationToken).ConfigureAwait(false);
        return blob.IsIndex ? blob : throw NotAList(name);
    }

    /// <summary>Removes the list's name (the list itself with it; its images stay while other names or lists keep them).</summary>
    public async Task RemoveListAsync(ImageReference name, CancellationToken cancellationToken)
    {
        _ = await InspectAsync(name, cancellationToken).ConfigureAwait(false);
        await store.References.UntagAsync(name, dropOrphan: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ImageIndex> ReadListAsync(ImageReference name, CancellationToken cancellationToken)
        => (await InspectAsync(name, cancellationToken).ConfigureAwait(false)).Index;

    private async Task<Descriptor> SaveAsync(ImageReference name, ImageIndex index, CancellationToken cancellationToken)
    {
        var descriptor = await store.Indexes.WriteAsync(index, cancellationToken).ConfigureAwait(false);
        await store.References.ReplaceAsync(name, descriptor, cancellationToken).ConfigureAwait(false);
        return descriptor;
    }

    private static ManifestListException NotAList(ImageReference name)
        => new($"{name.ToFamiliarString()} is a single image, not a manifest list: create one with 'tabula manifest create LIST {name.ToFamiliarString()}'");

    /// <summary>
    /// The entries an image contributes, its images copied into the store: a single image with its config's platform;
    /// from an index, the image for <paramref name="platform"/> (this machine's by default), or with <paramref name="all"/>
    /// every entry as the index lists it.
    /// </summary>
    private async Task<IReadOnlyList<Descriptor>> EntriesAsync(ImageLocation location, Platform? platform, bool all, CancellationToken cancellationToken)
    {
        if (all && await IndexCopier.OpenReaderAsync(store, registryClient, location, [], cancellationToken).ConfigureAwait(false) is { } reader
            && await reader.TopAsync(cancellationToken).ConfigureAwait(false) is { IsIndex: true } top)
        {
            var writer = LayoutManifestWriter.ForStore(store, null, null);
            var copied = await IndexCopier.CopyWholeAsync(reader, writer, top, 0, cancellationToken).ConfigureAwait(false);
            return copied.Index.Manifests;
        }
        using var opened = await sources.OpenAsync(location, platform, cancellationToken).ConfigureAwait(false);
        var written = await store.Layout.WriteImageAsync(opened.Image, null, cancellationToken).ConfigureAwait(false);
        return [written with { Platform = PlatformOf(opened.Image) }];
    }

    /// <summary>The platform an image's config says it is for, as an index entry names it.</summary>
    public static Platform PlatformOf(IImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var config = image.Config;
        return new Platform { Os = config.Os, Architecture = config.Architecture, Variant = config.Variant, OsVersion = config.OsVersion, OsFeatures = config.OsFeatures };
    }
}

/// <summary>A manifest list verb asked for something the list or the store cannot do.</summary>
public sealed class ManifestListException(string message) : Exception(message);
