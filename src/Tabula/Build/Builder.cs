using Tabula.Build.Checks;
using Tabula.Dockerfile;
using Tabula.Dockerfile.Checks;
using Tabula.Dockerfile.Expansion;
using Tabula.Dockerfile.Instructions;
using Tabula.Dockerfile.Syntax;
using Tabula.Images;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Build;

/// <summary>
/// Turns a Dockerfile and a context into an image in the local store: stages are built in order of need, each
/// instruction is expanded at dispatch time (as BuildKit does), and only a complete image is ever named.
/// </summary>
/// <param name="claims">The work in progress this build shares with others side by side (the other platforms of a multi-platform build).</param>
/// <param name="sharedCache">
/// The shared cache of the multi-platform build this is one platform of, which imports and exports it; null: this build
/// does its own <c>--cache-from</c>/<c>--cache-to</c>.
/// </param>
internal sealed class Builder(ImageStore store, IProgress<BuildEvent>? progress = null, StepClaims? claims = null, SharedCache.SharedBuildCache? sharedCache = null)
{
    /// <summary>A build starts again at most this often after a cache layer could not be had (a key-only one, then a fetch that failed).</summary>
    private const int MaxCacheRetries = 2;

    public async Task<BuildResult> BuildAsync(BuildOptions options, CancellationToken cancellationToken)
    {
        if (options.Platforms.Count > 1) return await MultiPlatformBuild.BuildAsync(store, options, progress, cancellationToken).ConfigureAwait(false);
        // An attestation goes beside its image in an index, as BuildKit's image exporter puts it: one platform is an index too.
        if (!options.PlatformOfIndex && (MultiPlatformBuild.Forced(options.BuildArgs) || options.SbomAttestation is not null))
            return await MultiPlatformBuild.BuildAsync(store, options with { Platforms = options.Platforms.Count == 1 ? options.Platforms : [options.Platform ?? Platform.Host] },
                progress, cancellationToken).ConfigureAwait(false);
        if (options.Platforms.Count == 1) options = options with { Platform = options.Platforms[0], Platforms = [] };
        var dockerfilePath = options.DockerfileText is null ? DockerfileLocator.Find(options.ContextDirectory, options.DockerfilePath) : options.DockerfilePath;
        var (text, fileName) = ReadDockerfile(options, dockerfilePath);
        var tree = SyntaxParser.Parse(text, fileName);
        var checks = new CheckReport(BuildChecks.Options(tree.Directives.Check, options.BuildArgs));
        var document = ParseChecked(tree, checks);
        var context = BuildContext.Open(options.ContextDirectory, dockerfilePath);
        var platform = options.Platform ?? Platform.Host;

        var metaArgs = ResolveMetaArgs(document, options, platform);
        options = options with { Timestamp = SourceDateEpoch.Resolve(document, options, metaArgs) };
        // As a build arg, the epoch is what an ARG SOURCE_DATE_EPOCH of a stage sees.
        if (options.Timestamp is { } epoch) metaArgs.Values[SourceDateEpoch.Name] = epoch.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var created = options.Timestamp ?? DateTimeOffset.UtcNow;
        var target = ChooseTarget(document, options.Target);
        // BuildKit's predefined TARGETSTAGE: the stage being built, "default" for an unnamed last stage.
        metaArgs.Values.TryAdd("TARGETSTAGE", target.Name ?? "default");

        using var lease = await store.Content.AcquireWriteLeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var session = new BuildSession(store.Content.Root) { Claims = claims ?? new StepClaims() };
        var named = new NamedContexts(store, options, session);
        var triggers = await BaseTriggersAsync(document, metaArgs, platform, named, cancellationToken).ConfigureAwait(false);
        var needed = StagesNeeded(document, target, metaArgs, triggers, named).ToList();
        await RunChecksAsync(document, needed, metaArgs, options, platform, context, checks, cancellationToken).ConfigureAwait(false);
        if (checks.Violation is { } violation) throw violation;
        if (needed.Count > 1) progress?.Report(new StagesPlanned(needed.Select(s => (s.Index, StageLabel(s))).ToList()));
        using var ownCache = sharedCache is null ? await SharedCache.SharedBuildCache.ForBuildAsync(store.Content, options, progress, cancellationToken).ConfigureAwait(false) : null;
        session.Shared = sharedCache ?? ownCache;
        Dictionary<int, StageRun> runs;
        StageState final;
        Dictionary<int, StageState> stages;
        for (int retries = 0; ; retries++)
        {
            try
            {
                (runs, final, stages) = await BuildOnceAsync().ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (session.Shared is { } shared && SharedCache.CacheBlobUnavailableException.Find(e) is { } unavailable
                && retries < MaxCacheRetries && !cancellationToken.IsCancellationRequested)
            {
                // A layer a cache hit promised cannot be had: build again without such hits (what was built or fetched hits the store's cache).
                // A key-only layer is no fault: a step on top of a build stage's cached steps missed, so that stage is built.
                if (unavailable.KeyOnly) progress?.Report(new SharedCache.CacheProgress(unavailable.Message + "; building again without the cache's key-only steps"));
                else progress?.Report(new SharedCache.CacheWarning(unavailable.Message + "; building again without the imported cache"));
                shared.Drop(unavailable);
            }
        }
        var usedArgs = runs.Values.SelectMany(r => r.UsedArgs).ToHashSet(StringComparer.Ordinal);

        var config = HistoryTimes.Complete(WithLabels(final.Config, options.Labels), options.Timestamp);
        var image = Image.Create(config, final.Layers, options.OciMediaTypes || options.Compression == LayerCompression.Zstd);
        var manifest = await store.Layout.WriteImageAsync(image, null, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var attestation = options.SbomAttestation is { } attest
            ? await AttestAsync(attest, image, manifest, platform, target, needed, stages, metaArgs, context, options, session, cancellationToken).ConfigureAwait(false)
            : null;
        if (options.NameInStore && options.Tags.Count == 0)
            await store.References.AddUnnamedAsync(manifest, cancellationToken).ConfigureAwait(false);
        foreach (var tag in options.NameInStore ? options.Tags : [])
            await store.References.TagAsync(tag, manifest, cancellationToken).ConfigureAwait(false);
        session.Shared?.RecordImage(final.Layers);
        if (ownCache is not null && options.CacheTo.Count > 0)
            await SharedCache.CacheExporter.ExportAllAsync(store.Content, ownCache, options, progress, cancellationToken).ConfigureAwait(false);

        // The proxy variables and the sandbox hostname are predefined: RUN receives them without an ARG, so they are never "unused".
        var unused = options.BuildArgs.Keys
            .Where(k => !usedArgs.Contains(k) && !metaArgs.Consumed.Contains(k) && !PredefinedArgs.Proxy.Contains(k) && k != PredefinedArgs.SandboxHostname && k != BuildChecks.BuildArg && k != SourceDateEpoch.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (unused.Count > 0) progress?.Report(new BuildWarning($"One or more build-args [{string.Join(' ', unused)}] were not consumed"));
        return new BuildResult(manifest, image.Manifest.Config.Digest, options.Tags) { Warnings = checks.Sorted(), Attestation = attestation };

        // Every needed stage built by fresh stage runs; the final image's layers are in the store when it returns.
        async Task<(Dictionary<int, StageRun> Runs, StageState Final, Dictionary<int, StageState> Stages)> BuildOnceAsync()
        {
            // A stage another one starts from, copies from or mounts keeps its file tree to the end; the others need not.
            var sources = needed.SelectMany(s => DependenciesOf(document, s, metaArgs, triggers, named)).Select(s => s.Index).ToHashSet();
            var stageRuns = needed.ToDictionary(s => s.Index, s => new StageRun(store, document, s, context, options, metaArgs, created, new HashSet<string>(StringComparer.Ordinal), session, named, progress)
            {
                UsedByOtherStages = sources.Contains(s.Index),
            });
            var built = await BuildStagesAsync(document, needed, metaArgs, triggers, named, stageRuns, cancellationToken).ConfigureAwait(false);
            var targetState = built[target.Index];
            // The image is kept in the store whole (images, save, run need it): cache hits' layers nothing fetched yet come now.
            if (session.Shared is { } cache) await cache.MaterializeAsync(targetState.Layers, cancellationToken).ConfigureAwait(false);
            return (stageRuns, targetState, built);
        }
    }

    /// <summary>
    /// The image's SBOM attestation (<c>--attest type=sbom</c>): the sources the scan args choose, the statements of
    /// the generator asked for (else Tabula's own), written as the attestation manifest of the image.
    /// </summary>
    private async Task<Descriptor> AttestAsync(Attestations.SbomAttestation attest, Image image, Descriptor manifest, Platform platform, Stage target,
        List<Stage> needed, Dictionary<int, StageState> stages, MetaArgs metaArgs, BuildContext context, BuildOptions options, BuildSession session,
        CancellationToken cancellationToken)
    {
        var byName = needed.Where(s => stages.ContainsKey(s.Index)).ToDictionary(s => s.Name ?? $"stage-{s.Index}", s => stages[s.Index], StringComparer.Ordinal);
        var core = new Attestations.ScanSource(image.Layers, image.Config, null);
        var targets = Attestations.SbomScanTargets.Select(core, target.Name ?? $"stage-{target.Index}", byName, metaArgs.Values, context);
        // A stage's layers that shared-cache hits only promised are fetched now: the scan reads them.
        if (session.Shared is { } shared)
            foreach (var extra in targets.Extras.Values)
                if (extra.Layers is { } layers) await shared.MaterializeAsync([.. layers], cancellationToken).ConfigureAwait(false);
        bool oci = manifest.MediaType == MediaTypes.OciManifest;
        var statements = attest.Generator is { } generator
            ? await new Attestations.ScannerGenerator(store, options).GenerateAsync(generator, attest.Parameters, targets, cancellationToken).ConfigureAwait(false)
            : await Attestations.OwnSbomGenerator.GenerateAsync(targets, options.Tags.Count > 0 ? options.Tags[0].ToString() : "image", oci, options.Timestamp, cancellationToken).ConfigureAwait(false);
        return await Attestations.AttestationManifest.WriteAsync(store, manifest, platform, options.Tags, statements, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// BuildKit's <c>--call=check</c>: the build checks of every stage (or of the target and the stages it uses), and
    /// the error the build would stop at before its first step, without building anything.
    /// </summary>
    public async Task<CheckResult> CheckAsync(BuildOptions options, CancellationToken cancellationToken)
    {
        // The checks of a multi-platform build look at its first platform.
        if (options.Platforms.Count > 0) options = options with { Platform = options.Platforms[0], Platforms = [] };
        var dockerfilePath = options.DockerfileText is null ? DockerfileLocator.Find(options.ContextDirectory, options.DockerfilePath) : options.DockerfilePath;
        var (text, fileName) = ReadDockerfile(options, dockerfilePath);
        CheckReport? checks = null;
        try
        {
            var tree = SyntaxParser.Parse(text, fileName);
            checks = new CheckReport(BuildChecks.Options(tree.Directives.Check, options.BuildArgs));
            var document = ParseChecked(tree, checks);
            var context = BuildContext.Open(options.ContextDirectory, dockerfilePath);
            var platform = options.Platform ?? Platform.Host;
            var metaArgs = ResolveMetaArgs(document, options, platform);
            var stages = document.Stages;
            if (options.Target is not null)
            {
                await using var session = new BuildSession(store.Content.Root);
                var named = new NamedContexts(store, options, session);
                var triggers = await BaseTriggersAsync(document, metaArgs, platform, named, cancellationToken).ConfigureAwait(false);
                stages = StagesNeeded(document, ChooseTarget(document, options.Target), metaArgs, triggers, named).ToList();
            }
            await RunChecksAsync(document, stages, metaArgs, options, platform, context, checks, cancellationToken).ConfigureAwait(false);
            return new CheckResult(checks.Sorted(), checks.Violation, text, fileName);
        }
        catch (DockerfileException e)
        {
            return new CheckResult(checks?.Sorted() ?? [], e, text, fileName);
        }
    }

    /// <summary>Types the syntax tree; when an instruction is at fault, the checks of the instructions above it are still reported.</summary>
    private DockerfileDocument ParseChecked(SyntaxTree tree, CheckReport checks)
    {
        try
        {
            var document = DockerfileParser.FromSyntax(tree);
            SyntaxChecks.CheckNodes(tree, checks);
            SyntaxChecks.CheckStages(document, checks);
            return document;
        }
        catch (DockerfileException e)
        {
            SyntaxChecks.CheckNodes(tree, checks, beforeLine: e.Line);
            ReportChecks(checks);
            throw;
        }
    }

    private async Task RunChecksAsync(DockerfileDocument document, IEnumerable<Stage> stages, MetaArgs metaArgs, BuildOptions options, Platform platform,
        BuildContext context, CheckReport checks, CancellationToken cancellationToken)
    {
        MetaArgs? defaults;
        try
        {
            defaults = ResolveMetaArgs(document, options with { BuildArgs = new Dictionary<string, string>() }, platform);
        }
        catch (DockerfileException)
        {
            defaults = null; // the build reports it
        }
        await BuildChecks.RunAsync(document, stages, metaArgs, defaults, options, context.Ignore, BaseFactsAsync, checks, cancellationToken).ConfigureAwait(false);
        ReportChecks(checks);
    }

    private void ReportChecks(CheckReport checks)
    {
        foreach (var warning in checks.Sorted()) progress?.Report(new CheckWarningReported(warning));
    }

    /// <summary>A base image's facts for the checks, when the store already has it (the checks pull nothing).</summary>
    private async Task<BaseFacts?> BaseFactsAsync(string name, Platform platform, CancellationToken cancellationToken)
    {
        try
        {
            if (await store.Resolver.TryResolveAsync(name, cancellationToken).ConfigureAwait(false) is not { } stored) return null;
            IImage image;
            try
            {
                image = await store.LoadAsync(stored, platform, cancellationToken).ConfigureAwait(false);
            }
            catch (Archives.PlatformNotFoundException)
            {
                // An image of one other platform: InvalidBaseImagePlatform says so.
                image = await store.LoadAsync(stored, null, cancellationToken).ConfigureAwait(false);
            }
            var config = image.Config;
            return new BaseFacts(config.Config?.Env ?? [], config.Config?.Shell is { Count: > 0 }, config.Platform);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null; // the stage reports what is wrong with its base when it starts; a check only goes without
        }
    }

    private static (string Text, string FileName) ReadDockerfile(BuildOptions options, string? path)
    {
        if (options.DockerfileText is { } given) return (given, path ?? DockerfileLocator.DefaultName);
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"failed to read Dockerfile: {path} does not exist; name it with -f", path);
        return (File.ReadAllText(path), Path.GetFileName(path));
    }

    internal static MetaArgs ResolveMetaArgs(DockerfileDocument document, BuildOptions options, Platform platform)
    {
        var values = PredefinedArgs.For(platform, Platform.Host);
        var consumed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var arg in document.MetaArgs)
        {
            foreach (var declaration in arg.Arguments)
            {
                if (options.BuildArgs.TryGetValue(declaration.Name, out var given))
                {
                    values[declaration.Name] = given;
                    consumed.Add(declaration.Name);
                }
                else if (arg.ExpandDefault(declaration, new ShellWordExpander(new VariableMap(values), document.EscapeToken)).DefaultValue is { } value)
                    values[declaration.Name] = value;
                else values.Remove(declaration.Name);
            }
        }
        return new MetaArgs(values, consumed);
    }

    /// <summary><c>--label</c>s go into the target's config only, after its own LABELs, with no history entry (as BuildKit).</summary>
    private static ImageConfig WithLabels(ImageConfig config, IReadOnlyDictionary<string, string> labels)
    {
        if (labels.Count == 0) return config;
        var merged = new SortedDictionary<string, string>(config.Config?.Labels?.ToDictionary() ?? [], StringComparer.Ordinal);
        foreach (var (key, value) in labels) merged[key] = value;
        return config with { Config = (config.Config ?? new ContainerConfig()) with { Labels = merged } };
    }

    private static Stage ChooseTarget(DockerfileDocument document, string? target)
    {
        // A file of only ARGs (or comments) parses: it just has nothing to build, which docker also refuses.
        if (document.Stages.Count == 0)
            throw new DockerfileException(new SourceLocation(document.FileName, 1, 1), "dockerfile contains no stages to build: it has no FROM instruction");
        if (target is null) return document.Stages[^1];
        // Stage names are compared in lower case, so the hint names the stage as BuildKit does (lower case).
        var names = document.Stages.Select(s => s.Name?.ToLowerInvariant()).OfType<string>();
        return document.FindStage(target)
            ?? throw new DockerfileException(new SourceLocation(document.FileName, 1, 1),
                Suggestion.WithHint($"target stage \"{target}\" could not be found", target, names, caseSensitive: true));
    }

    /// <summary>
    /// Runs every needed stage as soon as the stages it uses are built, so independent stages run side by side (as
    /// BuildKit runs them). A stage only ever uses earlier stages, so file order is an order in which each one's
    /// dependencies are already scheduled.
    /// </summary>
    private static Task<Dictionary<int, StageState>> BuildStagesAsync(DockerfileDocument document, List<Stage> needed, MetaArgs metaArgs,
        BaseTriggers triggers, NamedContexts named, Dictionary<int, StageRun> runs, CancellationToken cancellationToken)
        => DependencyScheduler.RunAsync<int, StageState>(
            needed.Select(stage => (stage.Index, DependenciesOf(document, stage, metaArgs, triggers, named).Select(d => d.Index))),
            (index, built, token) => runs[index].ExecuteAsync(built, token),
            int.MaxValue, cancellationToken);

    private static string StageLabel(Stage stage) => stage.Name ?? $"stage-{stage.Index}";

    /// <summary>The target and the stages it uses, transitively, in file order.</summary>
    private static IEnumerable<Stage> StagesNeeded(DockerfileDocument document, Stage target, MetaArgs metaArgs, BaseTriggers triggers, NamedContexts named)
    {
        var needed = new SortedSet<int>();
        var pending = new Stack<Stage>([target]);
        while (pending.TryPop(out var stage))
        {
            if (!needed.Add(stage.Index)) continue;
            foreach (var source in DependenciesOf(document, stage, metaArgs, triggers, named)) pending.Push(source);
        }
        return needed.Select(i => document.Stages[i]);
    }

    /// <summary>
    /// The earlier stages a stage starts FROM, copies --from or mounts from, itself or through its base's ONBUILD
    /// triggers. A stage a named context replaces uses none; a named directory is read where it is, so a stage it
    /// replaces is not built for a COPY --from or a mount.
    /// </summary>
    private static IEnumerable<Stage> DependenciesOf(DockerfileDocument document, Stage stage, MetaArgs metaArgs, BaseTriggers triggers, NamedContexts named)
    {
        if (named.Find(stage.Name) is not null) yield break;
        var baseName = stage.From.Expand(metaArgs.Expander(document)).BaseName;
        if (document.FindStage(baseName) is { } parent && parent.Index < stage.Index) yield return parent;
        var instructions = triggers.GetValueOrDefault(stage.Index, []).Concat(stage.Instructions).ToList();
        var froms = instructions.OfType<CopyInstruction>().Select(c => c.From).OfType<string>()
            .Concat(instructions.OfType<RunInstruction>().SelectMany(Mounts.RunMountParser.Sources));
        foreach (var from in froms.Where(f => named.Find(f) is not LocalNamedContext))
            // A later stage is no dependency: the step that names it refuses it, as BuildKit does, instead of waiting for it.
            if ((document.FindStage(from) ?? (int.TryParse(from, out var i) && i >= 0 && i < document.Stages.Count ? document.Stages[i] : null)) is { } source && source.Index < stage.Index)
                yield return source;
    }

    /// <summary>
    /// The ONBUILD triggers each stage will run, by stage index: those its base stage declares, or those of its base
    /// image when the store has it. They may use stages of this Dockerfile (BuildKit schedules those too); an image
    /// still to be pulled is read when its stage starts, so a stage only its triggers name is then not built.
    /// </summary>
    private async Task<BaseTriggers> BaseTriggersAsync(DockerfileDocument document, MetaArgs metaArgs, Platform platform, NamedContexts named, CancellationToken cancellationToken)
    {
        var triggers = new BaseTriggers();
        foreach (var stage in document.Stages)
        {
            if (named.Find(stage.Name) is not null) continue; // replaced: its instructions never run
            FromInstruction from;
            try
            {
                from = stage.From.Expand(metaArgs.Expander(document));
            }
            catch (DockerfileException)
            {
                continue; // reported by the stage, if it is needed
            }
            IEnumerable<string> texts;
            if (string.IsNullOrEmpty(from.BaseName)) continue;
            if (document.FindStage(from.BaseName) is { } parent && parent.Index < stage.Index)
                texts = parent.Instructions.OfType<OnbuildInstruction>().Select(o => o.Expression);
            else if (named.Find(from.BaseName) is not null)
            {
                Platform wanted;
                try { wanted = from.Platform is { Length: > 0 } p ? Platform.Parse(p) : platform; }
                catch (FormatException) { continue; } // the stage itself reports it when it starts
                texts = (await named.PeekConfigAsync(from.BaseName, wanted, cancellationToken).ConfigureAwait(false))?.Config?.OnBuild ?? [];
            }
            else if (from.BaseName.Equals("scratch", StringComparison.OrdinalIgnoreCase)
                || await store.Resolver.TryResolveAsync(from.BaseName, cancellationToken).ConfigureAwait(false) is not { } stored)
                continue;
            else
            {
                try
                {
                    var wanted = from.Platform is { Length: > 0 } p ? Platform.Parse(p) : platform;
                    texts = (await store.LoadAsync(stored, wanted, cancellationToken).ConfigureAwait(false)).Config.Config?.OnBuild ?? [];
                }
                catch (Exception e) when (e is FormatException or Archives.PlatformNotFoundException)
                {
                    continue; // the stage itself reports it when it starts
                }
            }
            var list = texts.ToList();
            if (list.Count == 0) continue;
            try
            {
                triggers[stage.Index] = StageRun.ParseTriggers(list, from);
            }
            catch (DockerfileException)
            {
                // The stage reports a bad trigger, located, when it runs it.
            }
        }
        return triggers;
    }
}

/// <summary>The instructions of the ONBUILD triggers a stage runs, by stage index.</summary>
internal sealed class BaseTriggers : Dictionary<int, IReadOnlyList<Instruction>>;

/// <summary>Global ARG values (predefined platform args, meta-ARG defaults, --build-arg overrides).</summary>
internal sealed record MetaArgs(Dictionary<string, string> Values, HashSet<string> Consumed)
{
    public ShellWordExpander Expander(DockerfileDocument document) => new(new VariableMap(Values), document.EscapeToken);
}

public sealed record BuildWarning(string Message) : BuildEvent;

/// <summary>A build check's warning (BuildKit's linter), reported before the first step.</summary>
public sealed record CheckWarningReported(CheckWarning Warning) : BuildEvent;

/// <summary>A build of several stages: their indexes and labels (name, or <c>stage-N</c>); they may run side by side.</summary>
public sealed record StagesPlanned(IReadOnlyList<(int Stage, string Label)> Stages) : BuildEvent;
