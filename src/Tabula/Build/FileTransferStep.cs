using System.Globalization;
using Tabula.Dockerfile;
using Tabula.Dockerfile.Expansion;
using Tabula.Dockerfile.Ignore;
using Tabula.Images;
using Tabula.Layers;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Build;

/// <summary>
/// ADD and COPY (DESIGN §5): sources from the context (or another stage) are placed into a file tree over the
/// stage's filesystem, resolved inside the image root as a chroot would, and the changes become one layer.
/// </summary>
internal sealed class FileTransferStep(ImageStore store, BuildContext context, BuildOptions options, BuildSession session, DateTimeOffset created, NamedContexts named)
{
    private const string MultipleSourcesError = "When using {0} with more than one source file, the destination must be a directory and end with a /";
    private readonly UrlSource _urls = new(options, session);

    /// <summary>
    /// The mtime of what a step makes itself (implied directories, WORKDIR's, heredoc files) and of the existing
    /// directories it writes into: the build time, as BuildKit's copy leaves them; with a timestamp, that time
    /// (BuildKit's clamp of layer times), so the digest is reproducible.
    /// </summary>
    private DateTimeOffset DefaultTime => options.Timestamp ?? created;

    public async Task<ILayer> RunAsync(TransferRequest request, StageState state, IReadOnlyDictionary<int, StageState> built, DockerfileDocument document, CancellationToken cancellationToken)
    {
        try
        {
            return await RunCoreAsync(request, state, built, document, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LayerFormatException or FormatException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new DockerfileException(request.Location, $"{request.Keyword} failed: {e.Message}", e);
        }
    }

    /// <summary>
    /// The step's cache key (<see cref="StepKey"/>): the parent, the expanded instruction with its flags and the
    /// working directory a relative destination starts at, and what the step reads — the context files it copies
    /// (after .dockerignore and --exclude) or, with --from, the source stage's or image's layers. Null when the step
    /// cannot be keyed (a URL source) or its sources are in error, which the step itself then reports.
    /// </summary>
    public async Task<string?> CacheKeyAsync(TransferRequest request, StageState state, IReadOnlyDictionary<int, StageState> built, DockerfileDocument document, CancellationToken cancellationToken)
    {
        var transfer = request.Transfer;
        if (transfer.Sources.Any(UrlSource.IsGit) || (!request.IsAdd && transfer.Sources.Any(UrlSource.IsHttp))) return null; // refused by the step
        using var key = StepKey.ForParent("transfer", state, options);
        key.Add(request.Keyword).Add("workdir=" + state.Container.WorkingDir).Add("dest=" + transfer.Destination)
            .Add("chown=" + transfer.Chown).Add("chmod=" + transfer.Chmod).Add("link=" + transfer.Link).Add("parents=" + request.Parents)
            .AddList("exclude", transfer.Excludes).AddList("sources", transfer.Sources)
            .AddList("inline", transfer.InlineSources.SelectMany(i => new[] { i.Path, i.Content })).Add("unpack=" + request.Unpack);
        try
        {
            var directory = request.From is { } fromName ? named.LocalContext(fromName) : null;
            if (directory is not null) key.Add("from-directory=" + request.From);
            if (request.From is { } from && directory is null)
            {
                var layers = await SourceLayersAsync(from, request, state, built, document, cancellationToken).ConfigureAwait(false);
                key.Add("from=" + from).AddList("from-layers", layers.Select(l => l.DiffId.ToString()));
            }
            else
            {
                // A URL is keyed on its --checksum (nothing is fetched for a hit, as BuildKit), else on what it serves.
                foreach (var url in transfer.Sources.Where(UrlSource.IsHttp))
                    key.Add("url=" + url + "=" + (request.Checksum?.ToString() ?? await UrlKeyAsync(url, cancellationToken).ConfigureAwait(false)));
                var sources = transfer.Sources.Where(s => !UrlSource.IsHttp(s)).Select(s => request.Parents ? ParentsPivot.Split(s) : ("", s)).ToList();
                await new ContextChecksum(directory ?? context, session.Checksums).AddSourcesAsync(key, sources,
                    transfer.Excludes.Count == 0 ? null : new DockerignoreMatcher(transfer.Excludes), request.Parents,
                    new EntryRewrites { Epoch = options.Timestamp }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is DockerfileException or IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
        return key.Finish();
    }

    /// <summary>A URL's content as its key: its digest, and the Last-Modified time its file takes.</summary>
    private async Task<string> UrlKeyAsync(string url, CancellationToken cancellationToken)
    {
        var downloaded = await _urls.GetAsync(url, null, cancellationToken).ConfigureAwait(false);
        return downloaded.Digest + "@" + downloaded.LastModified?.ToUnixTimeSeconds();
    }

    /// <summary>
    /// WORKDIR's layer: its directory, made when it does not exist yet, owned by the stage's USER as BuildKit's
    /// mkdir is; an empty layer when it exists (BuildKit commits the mkdir all the same).
    /// </summary>
    public async Task<ILayer> MakeDirectoryAsync(string path, StageState state, SourceLocation location, CancellationToken cancellationToken)
    {
        var lower = await state.GetTreeAsync(cancellationToken).ConfigureAwait(false);
        Ownership? owner = null;
        if (state.Container.User is { Length: > 0 } user)
        {
            try { owner = await UserDatabase.ResolveChownAsync(user, lower, cancellationToken).ConfigureAwait(false); }
            catch (FormatException e) { throw new DockerfileException(location, $"WORKDIR {path}: {e.Message}", e); }
        }
        var upper = FileTree.Over(lower);
        try { upper.EnsureDirectory(path, DirectoryDefaults.Create(DefaultTime, owner)); }
        catch (LayerFormatException e) { throw new DockerfileException(location, $"WORKDIR {path}: {e.Message}", e); }
        upper.TouchChangedDirectories(DefaultTime);
        state.Tree = upper;
        return await LayerCommit.CommitAsync(store, options, upper, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ILayer> RunCoreAsync(TransferRequest request, StageState state, IReadOnlyDictionary<int, StageState> built, DockerfileDocument document, CancellationToken cancellationToken)
    {
        var transfer = request.Transfer;
        var lower = await state.GetTreeAsync(cancellationToken).ConfigureAwait(false);
        Ownership? chown = transfer.Chown is null ? null : await UserDatabase.ResolveChownAsync(transfer.Chown, lower, cancellationToken).ConfigureAwait(false);
        var rewrites = new EntryRewrites { Epoch = options.Timestamp, Chown = chown, Chmod = ParseChmod(transfer.Chmod) };
        var placement = new Placement(
            Destination(transfer.Destination, state),
            transfer.Destination.EndsWith('/') || transfer.Destination is "." or ".." || transfer.Destination.EndsWith("/.", StringComparison.Ordinal),
            rewrites,
            ImpliedDirectories(rewrites),
            transfer.Excludes.Count == 0 ? null : new DockerignoreMatcher(transfer.Excludes),
            request.Parents);

        if (await TryPassthroughAsync(request, state, lower, placement, cancellationToken).ConfigureAwait(false) is { } fast)
            return fast;
        if (await TryStreamAsync(request, state, lower, placement, cancellationToken).ConfigureAwait(false) is { } streamed)
            return streamed;

        var upper = FileTree.Over(lower);
        int sourceCount = transfer.Sources.Count + transfer.InlineSources.Count;
        // A named local context is read as the build context is (its own .dockerignore applies), not as a stage.
        var directory = request.From is { } fromName ? named.LocalContext(fromName) : null;
        if (request.From is { } from && directory is null)
        {
            var sourceTree = await SourceTreeAsync(from, request, state, built, document, cancellationToken).ConfigureAwait(false);
            var copier = new TreeCopier(upper, placement);
            foreach (var source in transfer.Sources)
            {
                var (pivot, pattern) = request.Parents ? ParentsPivot.Split(source) : ("", source);
                copier.Copy(sourceTree, pivot, pattern, sourceCount, request);
            }
        }
        else
        {
            var sourceContext = directory ?? context;
            foreach (var source in transfer.Sources)
            {
                var copier = new ContextCopier(sourceContext, upper, placement, session);
                if (UrlSource.IsGit(source))
                    throw new DockerfileException(request.Location, $"{request.Keyword} {source}: git sources are not supported; clone the repository and {request.Keyword} it from the build context");
                if (UrlSource.IsHttp(source))
                {
                    if (!request.IsAdd) throw new DockerfileException(request.Location, "source can't be a URL for COPY");
                    await PutUrlAsync(request, source, upper, placement, sourceCount, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                var (pivot, pattern) = request.Parents ? ParentsPivot.Split(source) : ("", source);
                var matches = sourceContext.Match(LayerPath.Join(pivot, pattern), request.Parents);
                // BuildKit lets a wildcard match nothing (the step then copies nothing); a plain path must exist.
                if (matches.Count == 0 && !GlobPattern.HasMeta(source))
                    throw new DockerfileException(request.Location, $"{request.Keyword} failed: \"{source}\" not found in the build context (or excluded by .dockerignore)");
                // Directories merge their contents into the destination, as BuildKit copies them, and ADD unpacks each archive
                // into it (BuildKit's testDockerfileAddArchiveWildcard); only other files need it to be a directory.
                if ((sourceCount > 1 || matches.Count > 1) && !placement.DestinationIsDirectory && !upper.Resolve(placement.Path).IsDirectory)
                {
                    foreach (var match in matches)
                        if (!sourceContext.IsDirectory(match) && !await copier.UnpacksAsync(match, request.UnpacksLocal, cancellationToken).ConfigureAwait(false))
                            throw new DockerfileException(request.Location, string.Format(CultureInfo.InvariantCulture, MultipleSourcesError, request.Keyword));
                }
                foreach (var match in matches)
                {
                    var kept = ParentsPivot.Kept(pivot, match);
                    await copier.CopyAsync(match, kept, request.UnpacksLocal, forceDirectory: sourceCount > 1 || matches.Count > 1, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        foreach (var inline in transfer.InlineSources)
        {
            var target = placement.DestinationIsDirectory || sourceCount > 1 || upper.Resolve(placement.Path).IsDirectory
                ? LayerPath.Join(placement.Path, LayerPath.Clean(inline.Path))
                : placement.Path;
            var bytes = System.Text.Encoding.UTF8.GetBytes(inline.Content);
            var spool = session.NewSpool();
            var segment = await spool.AppendAsync(new MemoryStream(bytes), bytes.Length, cancellationToken).ConfigureAwait(false);
            var owner = rewrites.ApplyOwner(0, 0);
            upper.Put(new LayerEntry
            {
                Path = target,
                Type = LayerEntryType.RegularFile,
                Mode = rewrites.ApplyMode(LayerEntryType.RegularFile, 0b110_100_100),
                Uid = owner.Uid,
                Gid = owner.Gid,
                ModTime = DefaultTime,
                Size = bytes.Length,
            }, segment, placement.Directories);
        }
        upper.TouchChangedDirectories(DefaultTime);
        state.Tree = upper;
        return await LayerCommit.CommitAsync(store, options, upper, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The fast path of DESIGN §5: <c>ADD archive /</c> onto an empty stage whose archive is already a valid layer
    /// keeps the archive's bytes as the blob. Anything the fast path cannot vouch for goes the normal way.
    /// </summary>
    private async Task<ILayer?> TryPassthroughAsync(TransferRequest request, StageState state, FileTree lower, Placement placement, CancellationToken cancellationToken)
    {
        var transfer = request.Transfer;
        if (!request.UnpacksLocal || request.From is not null || state.Layers.Count != 0 || lower.Entries.Any() || placement.Path.Length != 0
            || transfer.Sources.Count != 1 || transfer.InlineSources.Count != 0 || transfer.Chown is not null || transfer.Chmod is not null
            || transfer.Excludes.Count != 0 || options.Compression != LayerCompression.Gzip || UrlSource.IsHttp(transfer.Sources[0]) || UrlSource.IsGit(transfer.Sources[0]))
            return null;
        var matches = context.Match(transfer.Sources[0]);
        if (matches.Count != 1) return null;
        var full = context.FullPath(matches[0]);
        if (!File.Exists(full) || new FileInfo(full).LinkTarget is not null) return null;

        await using var input = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var kind = await ArchiveDetector.DetectAsync(input, cancellationToken).ConfigureAwait(false);
        if (!kind.IsTar || kind.Compression is not (ArchiveCompression.Gzip or ArchiveCompression.None)) return null;

        await using var writer = store.Content.BeginWrite();
        var result = await LayerPassthrough.CopyAsync(input, writer.Stream, placement.Rewrites, LayerCommit.Settings(options), cancellationToken).ConfigureAwait(false);
        if (result.Layer is not { } written) return null;
        state.Tree = null; // rebuilt from the layer only if a later step needs it
        return await LayerCommit.PublishAsync(store, options, writer, written, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>COPY dir/ DEST</c> (or ADD of a directory) onto an empty stage that keeps no tree after it: the walk streams
    /// into the layer (<see cref="StreamedCopy"/>), the same bytes as the copy into a tree, without holding the tree.
    /// </summary>
    private async Task<ILayer?> TryStreamAsync(TransferRequest request, StageState state, FileTree lower, Placement placement, CancellationToken cancellationToken)
    {
        var transfer = request.Transfer;
        if (request.TreeNeededAfter || request.Parents || transfer.Sources.Count != 1 || transfer.InlineSources.Count != 0
            || UrlSource.IsHttp(transfer.Sources[0]) || UrlSource.IsGit(transfer.Sources[0]) || lower.Entries.Any())
            return null;
        var directory = request.From is { } fromName ? named.LocalContext(fromName) : null;
        if (request.From is not null && directory is null) return null;
        var sourceContext = directory ?? context;
        var matches = sourceContext.Match(transfer.Sources[0]);
        if (matches.Count != 1 || !sourceContext.IsDirectory(matches[0])) return null;

        var copy = new StreamedCopy(sourceContext, placement, DefaultTime);
        var source = sourceContext.Resolve(matches[0]);
        var layer = await LayerCommit.CommitTarAsync(store, options, (tar, token) => copy.WriteAsync(lower, source, tar, token), cancellationToken).ConfigureAwait(false);
        state.Tree = null; // rebuilt from the layer only if something reads it after all
        return layer;
    }

    /// <summary>
    /// An HTTP(S) source, as BuildKit's http source and copy place it: a file of mode 0600 (or --chmod) owned by root
    /// (or --chown), its mtime the Last-Modified header (else the build time), named after the URL path when the
    /// destination is a directory; with <c>--unpack=true</c> an archive is extracted at the destination instead.
    /// </summary>
    private async Task PutUrlAsync(TransferRequest request, string url, FileTree upper, Placement placement, int sourceCount, CancellationToken cancellationToken)
    {
        DownloadedUrl downloaded;
        try
        {
            downloaded = await _urls.GetAsync(url, request.Checksum, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new DockerfileException(request.Location, $"ADD {url}: {e.Message}", e);
        }
        if (request.Unpack == true)
        {
            bool isArchive;
            await using (var probe = await downloaded.Content.OpenAsync(cancellationToken).ConfigureAwait(false))
                isArchive = (await ArchiveDetector.DetectAsync(probe, cancellationToken).ConfigureAwait(false)).IsTar;
            if (isArchive)
            {
                await using var archive = await downloaded.Content.OpenAsync(cancellationToken).ConfigureAwait(false);
                await ArchiveExtractor.ExtractAsync(upper, archive, placement.Path,
                    new ExtractOptions { Rewrites = placement.Rewrites, ImpliedDirectories = placement.Directories }, session.NewSpool(), cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        var target = placement.DestinationIsDirectory || sourceCount > 1 || upper.Resolve(placement.Path).IsDirectory
            ? LayerPath.Join(placement.Path, downloaded.FileName)
            : placement.Path;
        if (target.Length == 0) throw new DockerfileException(request.Location, $"ADD {url}: cannot write the file over the root directory");
        CopyTargets.Check(upper, target, LayerEntryType.RegularFile);
        var owner = placement.Rewrites.ApplyOwner(0, 0);
        upper.Put(new LayerEntry
        {
            Path = target,
            Type = LayerEntryType.RegularFile,
            Mode = placement.Rewrites.ApplyMode(LayerEntryType.RegularFile, 0b110_000_000),
            Uid = owner.Uid,
            Gid = owner.Gid,
            ModTime = placement.Rewrites.ApplyTime(downloaded.LastModified ?? DefaultTime),
            Size = downloaded.Content.Length,
        }, downloaded.Content, placement.Directories);
    }

    private async Task<FileTree> SourceTreeAsync(string from, TransferRequest request, StageState state, IReadOnlyDictionary<int, StageState> built, DockerfileDocument document, CancellationToken cancellationToken)
    {
        var stage = SourceStage(from, request, built, document);
        if (stage is not null) return await stage.GetTreeAsync(cancellationToken).ConfigureAwait(false);
        var layers = await SourceLayersAsync(from, request, state, built, document, cancellationToken).ConfigureAwait(false);
        return await new StageState(EmptyImage.Config(state.Platform), layers, state.Platform).GetTreeAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The layers of the stage or stored image <c>--from</c> names: what the copy reads, for its key.</summary>
    private async Task<IReadOnlyList<ILayer>> SourceLayersAsync(string from, TransferRequest request, StageState state, IReadOnlyDictionary<int, StageState> built, DockerfileDocument document, CancellationToken cancellationToken)
    {
        if (SourceStage(from, request, built, document) is { } source) return source.Layers;
        if (await named.TryLoadAsync(from, state.Platform, request.Location, cancellationToken).ConfigureAwait(false) is { } replaced) return replaced.Layers;
        var stored = await store.Resolver.TryResolveAsync(from, cancellationToken).ConfigureAwait(false)
            ?? throw new DockerfileException(request.Location, $"COPY --from={from}: no stage of that name, and no such image in the local store");
        var image = await store.LoadAsync(stored, state.Platform, cancellationToken).ConfigureAwait(false);
        return image.Layers;
    }

    /// <summary>The built stage <c>--from</c> names, or null when it names no stage (then it is an image).</summary>
    private static StageState? SourceStage(string from, TransferRequest request, IReadOnlyDictionary<int, StageState> built, DockerfileDocument document)
    {
        if (new ShellWordExpander(VariableMap.Empty, document.EscapeToken).ProcessWord(from) != from)
            throw new DockerfileException(request.Location,
                "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround");
        var stage = document.FindStage(from) ?? (int.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < document.Stages.Count ? document.Stages[index] : null);
        if (stage is null) return null;
        if (!built.TryGetValue(stage.Index, out var source))
            throw new DockerfileException(request.Location, $"cannot copy from stage \"{from}\", it needs to be defined before current stage");
        return source;
    }

    /// <summary>
    /// Directories a copy creates: 0755, or an octal --chmod mode as BuildKit applies it to the parents it makes
    /// (moby/buildkit#4945; #5943 questions it; a symbolic one leaves them 0755, as BuildKit's copy does), owned by
    /// --chown.
    /// </summary>
    private DirectoryDefaults ImpliedDirectories(EntryRewrites rewrites)
    {
        var defaults = DirectoryDefaults.Create(DefaultTime, rewrites.Chown);
        return rewrites.Chmod?.Octal is { } mode ? defaults with { Mode = mode } : defaults;
    }

    /// <summary>The destination as a clean image path: relative ones start at WORKDIR.</summary>
    private static string Destination(string destination, StageState state)
        => LayerPath.Clean(WorkdirPath.Resolve(state.Container.WorkingDir, destination));

    private static ModeChange? ParseChmod(string? chmod) => chmod is null ? null : ModeChange.Parse(chmod);
}

/// <summary>Where and how one ADD/COPY places what it copies.</summary>
internal sealed record Placement(string Path, bool DestinationIsDirectory, EntryRewrites Rewrites, DirectoryDefaults Directories, DockerignoreMatcher? Excludes, bool KeepParents)
{
    /// <summary>
    /// The destination of a directory source ends with the source directory's mtime (clamped), new or not, as
    /// BuildKit's copy restores it after writing the contents; its mode and owner stay as they were made. The root
    /// is not in a layer.
    /// </summary>
    public void TakeSourceTime(FileTree upper, string destination, DateTimeOffset sourceTime)
    {
        if (destination.Length == 0 || upper.Get(destination) is not { Entry.Type: LayerEntryType.Directory } existing) return;
        upper.Put(existing.Entry with { ModTime = Rewrites.ApplyTime(sourceTime) }, null, null);
    }
}
