using Tabula.Archives;
using Tabula.Build;
using Tabula.IO;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Transports;

namespace Tabula;

/// <summary>
/// The library's front door: one local store and how to reach registries, with what <c>tabula</c> does as methods —
/// build a Dockerfile, list images, save and load archives, pull and push. Registries are reached as the command line
/// reaches them: docker's credentials (<c>~/.docker/config.json</c>, credential helpers) unless other options are given.
/// </summary>
/// <example>
/// <code>
/// var tabula = TabulaClient.Open();
/// var built = await tabula.BuildAsync("./app", "app:1", cancellationToken);
/// await tabula.SaveAsync(["app:1"], "app.tar", cancellationToken);   // docker load -i app.tar
/// </code>
/// </example>
public sealed class TabulaClient
{
    private readonly ImageStore _store;

    private TabulaClient(ImageStore store, RegistryOptions registry)
    {
        _store = store;
        Registry = registry;
    }

    /// <summary>The store's folder (an OCI image layout).</summary>
    public string Root => _store.Content.Root;

    /// <summary>How registries are reached (TLS, credentials, timeouts, retries).</summary>
    public RegistryOptions Registry { get; }

    /// <summary>
    /// Opens (creating if needed) the store at <paramref name="root"/>, by default the command line's own
    /// (<c>$TABULA_ROOT</c>, else <c>$XDG_DATA_HOME/tabula</c>, else <c>~/.local/share/tabula</c>).
    /// </summary>
    /// <param name="registry">How to reach registries; by default as <c>tabula</c> does: docker's credentials,
    /// <c>TABULA_INSECURE_REGISTRIES</c> and <c>TABULA_CERT_DIR</c> from the environment.</param>
    /// <exception cref="OpenSslMissingException">The machine has no OpenSSL, which digests and TLS need.</exception>
    public static TabulaClient Open(string? root = null, RegistryOptions? registry = null)
    {
        // Without OpenSSL the runtime aborts the process at the first digest: refuse here, where it can be caught.
        OpenSsl.EnsureAvailable();
        return new TabulaClient(
            ImageStore.Open(root ?? ImageStore.DefaultRoot(Environment.GetEnvironmentVariable)),
            registry ?? RegistryEnvironment.Options(Environment.GetEnvironmentVariable));
    }

    /// <summary>Builds the Dockerfile of <paramref name="contextDirectory"/> and names the image <paramref name="tag"/> (if given).</summary>
    public Task<BuildResult> BuildAsync(string contextDirectory, string? tag, CancellationToken cancellationToken)
        => BuildAsync(new BuildOptions { ContextDirectory = contextDirectory, Tags = tag is null ? [] : [ImageReference.Parse(tag)] }, null, cancellationToken);

    /// <summary>Builds as <c>tabula build</c> does with every option; base images missing from the store are pulled with <see cref="Registry"/>.</summary>
    public async Task<BuildResult> BuildAsync(BuildOptions options, IProgress<BuildEvent>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return await new Builder(_store, progress).BuildAsync(options with { Registry = options.Registry ?? Registry }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The store's images, one entry per name (as <c>tabula images</c>); <paramref name="filter"/> is a <c>REPOSITORY[:TAG]</c> pattern.</summary>
    public async Task<IReadOnlyList<ListedImage>> ListImagesAsync(string? filter, CancellationToken cancellationToken)
    {
        var rows = await ImageListing.ListAsync(_store, filter, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new ListedImage(r.Repository, r.Tag, r.Summary.Stored.Id, r.Summary.Stored.Manifest, r.Summary.Created, r.Summary.Size.Files))];
    }

    /// <summary>Names an image of the store (by name or ID) with <paramref name="tag"/> as well, as <c>tabula tag</c>.</summary>
    public async Task TagAsync(string image, string tag, CancellationToken cancellationToken)
    {
        var source = await _store.Resolver.ResolveAsync(image, cancellationToken).ConfigureAwait(false);
        await _store.References.TagAsync(ImageReference.Parse(tag), source.Manifest, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes images of the store (names or IDs) to a tar archive: <see cref="ArchiveFormat.Docker"/> loads with <c>docker load</c>.</summary>
    public async Task SaveAsync(IEnumerable<string> images, string path, CancellationToken cancellationToken, ArchiveFormat format = ArchiveFormat.Docker, Platform? platform = null)
    {
        var selected = await SaveSelection.SelectAsync(_store.Resolver, images, cancellationToken).ConfigureAwait(false);
        await ArchiveSaver.SaveAsync(_store.Content, selected, format, path, cancellationToken, platform).ConfigureAwait(false);
    }

    /// <summary>Reads a docker-archive (either layout) or an OCI archive into the store, as <c>tabula load</c>.</summary>
    public Task<IReadOnlyList<LoadedImage>> LoadAsync(string path, CancellationToken cancellationToken, ArchiveLoadOptions? options = null)
        => ArchiveLoader.LoadAsync(path, _store.Content, _store.References, options ?? new ArchiveLoadOptions(), null, cancellationToken);

    /// <summary>Downloads an image into the store, as <c>tabula pull</c> (this machine's platform of a multi-platform image unless given).</summary>
    public async Task<PullResult> PullAsync(string reference, CancellationToken cancellationToken, Platform? platform = null, IProgress<TransferEvent>? progress = null)
    {
        var parsed = ImageReference.Parse(reference);
        using var client = new RegistryClient(parsed.Registry, Registry);
        return await new RegistryPuller(_store, client).PullAsync(parsed, platform, allPlatforms: false, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Uploads an image of the store (name or ID) to <paramref name="destination"/>, as <c>tabula push IMAGE DESTINATION</c>.</summary>
    public async Task<PushResult> PushAsync(string image, string destination, CancellationToken cancellationToken, Platform? platform = null, IProgress<TransferEvent>? progress = null)
    {
        var source = await _store.Resolver.ResolveAsync(image, cancellationToken).ConfigureAwait(false);
        var target = ImageReference.Parse(destination);
        using var client = new RegistryClient(target.Registry, Registry);
        return await new RegistryPusher(_store, client).PushAsync(source, target, platform, progress, cancellationToken).ConfigureAwait(false);
    }
}
