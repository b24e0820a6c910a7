using System.Collections.Concurrent;
using Tabula.Archives;
using Tabula.Content;
using Tabula.Dockerfile;
using Tabula.Images;
using Tabula.Layers;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Build;

/// <summary>
/// The named contexts of one build (<see cref="BuildOptions.NamedContexts"/>), loaded when a step first needs one and
/// only then (an unused one may name an image that does not exist, as BuildKit's testEagerNamedContextLookup shows).
/// </summary>
internal sealed class NamedContexts(ImageStore store, BuildOptions options, BuildSession session)
{
    private readonly ConcurrentDictionary<(string, Platform), Lazy<Task<StageState>>> _loaded = new();

    /// <summary>The named context a stage, image or --from name stands for, or null.</summary>
    public NamedContext? Find(string? name)
        => name is not null && options.NamedContexts.Count > 0 && NamedContext.Key(name.ToLowerInvariant()) is { } key
            ? options.NamedContexts.GetValueOrDefault(key) : null;

    /// <summary>A named local directory, read as a build context (COPY --from and RUN --mount from= read its files directly).</summary>
    public BuildContext? LocalContext(string name)
        => Find(name) is LocalNamedContext local ? BuildContext.Open(local.Directory, local.Directory + "/") : null;

    /// <summary>The checksums of a named local directory's files, for the cache keys of steps that read it.</summary>
    public ContextChecksum? LocalChecksum(string name) => LocalContext(name) is { } context ? new ContextChecksum(context, session.Checksums) : null;

    /// <summary>A fresh stage over the named context of that name, or null when it has none.</summary>
    public async Task<StageState?> TryLoadAsync(string name, Platform platform, SourceLocation location, CancellationToken cancellationToken)
    {
        if (Find(name) is not { } named) return null;
        var loaded = _loaded.GetOrAdd((NamedContext.Key(name.ToLowerInvariant())!, platform),
            _ => new Lazy<Task<StageState>>(() => LoadAsync(name, named, platform, location, cancellationToken)));
        var state = await loaded.Value.ConfigureAwait(false);
        return new StageState(state.Config, state.Layers, state.Platform) { Tree = state.Tree };
    }

    /// <summary>
    /// The image config of a named image context without pulling anything (for the ONBUILD triggers a stage will
    /// run): null when it is a directory, not at hand, or unreadable — the stage reports that when it starts.
    /// </summary>
    public async Task<ImageConfig?> PeekConfigAsync(string name, Platform platform, CancellationToken cancellationToken)
    {
        try
        {
            switch (Find(name))
            {
                case ImageNamedContext { Reference: { } reference }:
                    return await store.Resolver.TryResolveAsync(reference.ToString(), cancellationToken).ConfigureAwait(false) is { } stored
                        ? (await store.LoadAsync(stored, platform, cancellationToken).ConfigureAwait(false)).Config : null;
                case OciLayoutNamedContext layout:
                    return (await LoadLayoutAsync(layout, platform, cancellationToken).ConfigureAwait(false)).Config;
                default:
                    return null;
            }
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidDataException or PlatformNotFoundException or DockerfileException)
        {
            return null;
        }
    }

    private async Task<StageState> LoadAsync(string name, NamedContext named, Platform platform, SourceLocation location, CancellationToken cancellationToken)
    {
        var what = $"build context {name}";
        switch (named)
        {
            case ImageNamedContext { Reference: null }:
                return new StageState(EmptyImage.Config(platform), [], platform);
            case ImageNamedContext { Reference: { } reference }:
                return await BaseImages.LoadAsync(store, options, reference.ToString(), platform, location, $"{what} (docker-image://{reference.ToFamiliarString()})", cancellationToken).ConfigureAwait(false);
            case OciLayoutNamedContext layout:
                try
                {
                    return BaseImages.FromImage(await LoadLayoutAsync(layout, platform, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception e) when (e is IOException or FormatException or InvalidDataException or PlatformNotFoundException)
                {
                    throw new DockerfileException(location, $"{what} (oci-layout://{layout.Directory}): {e.Message}", e);
                }
            case LocalNamedContext local:
                return await LoadDirectoryAsync(local, platform, location, what, cancellationToken).ConfigureAwait(false);
            default:
                throw new InvalidOperationException("unknown named context " + named);
        }
    }

    /// <summary>The layout's image by digest (listed in index.json or not) or by its <c>org.opencontainers.image.ref.name</c> tag.</summary>
    private static async Task<IImage> LoadLayoutAsync(OciLayoutNamedContext layout, Platform platform, CancellationToken cancellationToken)
    {
        var content = ContentStore.Open(layout.Directory);
        var entries = await new ReferenceStore(content).ListAsync(cancellationToken).ConfigureAwait(false);
        Descriptor entry;
        if (layout.Digest is { } digest)
        {
            entry = entries.FirstOrDefault(e => e.Digest == digest)
                ?? new Descriptor
                {
                    MediaType = MediaTypes.OciManifest,
                    Digest = digest,
                    Size = content.SizeOf(digest) ?? throw new FileNotFoundException($"the layout has no blob {digest}"),
                };
        }
        else
        {
            entry = entries.FirstOrDefault(e => e.Annotation(AnnotationKeys.RefName) == layout.Tag)
                ?? throw new FileNotFoundException($"the layout has no image tagged '{layout.Tag}' (org.opencontainers.image.ref.name); name one with :TAG or @DIGEST");
        }
        return await new OciLayout(content).LoadImageAsync(entry, platform, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A directory as a stage's filesystem (for FROM NAME, or a stage it replaces): its files, less its own
    /// <c>.dockerignore</c>, as one layer over an empty image config, as BuildKit's local source has no config.
    /// </summary>
    private async Task<StageState> LoadDirectoryAsync(LocalNamedContext local, Platform platform, SourceLocation location, string what, CancellationToken cancellationToken)
    {
        var state = new StageState(EmptyImage.Config(platform), [], platform);
        var upper = FileTree.Over(await state.GetTreeAsync(cancellationToken).ConfigureAwait(false));
        var time = options.Timestamp ?? DateTimeOffset.UtcNow;
        var placement = new Placement("", true, new EntryRewrites { Epoch = options.Timestamp }, DirectoryDefaults.Create(time), null, false);
        try
        {
            var context = BuildContext.Open(local.Directory, local.Directory + "/");
            await new ContextCopier(context, upper, placement, session).CopyAsync("", "", isAdd: false, forceDirectory: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or LayerFormatException)
        {
            throw new DockerfileException(location, $"{what} ({local.Directory}): {e.Message}", e);
        }
        state.AddLayer(await LayerCommit.CommitAsync(store, options, upper, cancellationToken).ConfigureAwait(false));
        state.Tree = upper;
        return state;
    }
}
