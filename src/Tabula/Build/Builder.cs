using Tabula.Dockerfile;
using Tabula.Dockerfile.Expansion;
using Tabula.Dockerfile.Instructions;
using Tabula.Images;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Build;

/// <summary>
/// Turns a Dockerfile and a context into an image in the local store: stages are built in order of need, each
/// instruction is expanded at dispatch time (as BuildKit does), and only a complete image is ever named.
/// </summary>
internal sealed class Builder(ImageStore store, IProgress<BuildEvent>? progress = null)
{
    public async Task<BuildResult> BuildAsync(BuildOptions options, CancellationToken cancellationToken)
    {
        var dockerfilePath = options.DockerfileText is null ? DockerfileLocator.Find(options.ContextDirectory, options.DockerfilePath) : options.DockerfilePath;
        var (text, fileName) = ReadDockerfile(options, dockerfilePath);
        var document = DockerfileParser.Parse(text, fileName);
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
        await using var session = new BuildSession(store.Content.Root);
        var triggers = await BaseTriggersAsync(document, metaArgs, platform, cancellationToken).ConfigureAwait(false);
        var needed = StagesNeeded(document, target, metaArgs, triggers).ToList();
        if (needed.Count > 1) progress?.Report(new StagesPlanned(needed.Select(s => (s.Index, StageLabel(s))).ToList()));
        var runs = needed.ToDictionary(s => s.Index, s => new StageRun(store, document, s, context, options, metaArgs, created, new HashSet<string>(StringComparer.Ordinal), session, progress));
        var built = await BuildStagesAsync(document, needed, metaArgs, triggers, runs, cancellationToken).ConfigureAwait(false);
        var usedArgs = runs.Values.SelectMany(r => r.UsedArgs).ToHashSet(StringComparer.Ordinal);

        var final = built[target.Index];
        var config = WithLabels(final.Config, options.Labels) with { Created = created };
        var image = Image.Create(config, final.Layers, options.OciMediaTypes || options.Compression == LayerCompression.Zstd);
        var manifest = await store.Layout.WriteImageAsync(image, null, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (options.Tags.Count == 0)
            await store.References.AddUnnamedAsync(manifest, cancellationToken).ConfigureAwait(false);
        foreach (var tag in options.Tags)
            await store.References.TagAsync(tag, manifest, cancellationToken).ConfigureAwait(false);

        // The proxy variables and the sandbox hostname are predefined: RUN receives them without an ARG, so they are never "unused".
        var unused = options.BuildArgs.Keys
            .Where(k => !usedArgs.Contains(k) && !metaArgs.Consumed.Contains(k) && !PredefinedArgs.Proxy.Contains(k) && k != PredefinedArgs.SandboxHostname && k != SourceDateEpoch.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (unused.Count > 0) progress?.Report(new BuildWarning($"One or more build-args [{string.Join(' ', unused)}] were not consumed"));
        return new BuildResult(manifest, image.Manifest.Config.Digest, options.Tags);
    }

    private static (string Text, string FileName) ReadDockerfile(BuildOptions options, string? path)
    {
        if (options.DockerfileText is { } given) return (given, path ?? DockerfileLocator.DefaultName);
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"failed to read Dockerfile: {path} does not exist; name it with -f", path);
        return (File.ReadAllText(path), Path.GetFileName(path));
    }

    private static MetaArgs ResolveMetaArgs(DockerfileDocument document, BuildOptions options, Platform platform)
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
    /// dependencies are already scheduled. The first failure cancels the rest and is the one reported.
    /// </summary>
    private static async Task<Dictionary<int, StageState>> BuildStagesAsync(DockerfileDocument document, List<Stage> needed, MetaArgs metaArgs,
        BaseTriggers triggers, Dictionary<int, StageRun> runs, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Dictionary<int, Task<StageState>>();
        foreach (var stage in needed)
        {
            var dependencies = DependenciesOf(document, stage, metaArgs, triggers).Select(d => d.Index).Distinct().Where(tasks.ContainsKey).ToList();
            var waitFor = dependencies.ToDictionary(i => i, i => tasks[i]);
            // On the thread pool: a stage whose work completes synchronously would otherwise hold this loop.
            tasks[stage.Index] = Task.Run(() => RunStageAsync(runs[stage.Index], waitFor, failed), CancellationToken.None);
        }
        try
        {
            await Task.WhenAll(tasks.Values).ConfigureAwait(false);
        }
        catch when (FirstFailure(tasks.Values) is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
        return tasks.ToDictionary(t => t.Key, t => t.Value.Result);
    }

    private static async Task<StageState> RunStageAsync(StageRun run, Dictionary<int, Task<StageState>> dependencies, CancellationTokenSource failed)
    {
        try
        {
            var built = new Dictionary<int, StageState>();
            foreach (var (index, task) in dependencies) built[index] = await task.ConfigureAwait(false);
            return await run.ExecuteAsync(built, failed.Token).ConfigureAwait(false);
        }
        catch
        {
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The failure that caused the others: the first stage that failed other than by being cancelled.</summary>
    private static Exception? FirstFailure(IEnumerable<Task<StageState>> tasks)
    {
        var faults = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).ToList();
        return faults.FirstOrDefault(e => e is not OperationCanceledException) ?? faults.FirstOrDefault();
    }

    private static string StageLabel(Stage stage) => stage.Name ?? $"stage-{stage.Index}";

    /// <summary>The target and the stages it uses, transitively, in file order.</summary>
    private static IEnumerable<Stage> StagesNeeded(DockerfileDocument document, Stage target, MetaArgs metaArgs, BaseTriggers triggers)
    {
        var needed = new SortedSet<int>();
        var pending = new Stack<Stage>([target]);
        while (pending.TryPop(out var stage))
        {
            if (!needed.Add(stage.Index)) continue;
            foreach (var source in DependenciesOf(document, stage, metaArgs, triggers)) pending.Push(source);
        }
        return needed.Select(i => document.Stages[i]);
    }

    /// <summary>The earlier stages a stage starts FROM, copies --from or mounts from, itself or through its base's ONBUILD triggers.</summary>
    private static IEnumerable<Stage> DependenciesOf(DockerfileDocument document, Stage stage, MetaArgs metaArgs, BaseTriggers triggers)
    {
        var baseName = stage.From.Expand(metaArgs.Expander(document)).BaseName;
        if (document.FindStage(baseName) is { } parent && parent.Index < stage.Index) yield return parent;
        var instructions = triggers.GetValueOrDefault(stage.Index, []).Concat(stage.Instructions).ToList();
        var froms = instructions.OfType<CopyInstruction>().Select(c => c.From).OfType<string>()
            .Concat(instructions.OfType<RunInstruction>().SelectMany(Mounts.RunMountParser.Sources));
        foreach (var from in froms)
            // A later stage is no dependency: the step that names it refuses it, as BuildKit does, instead of waiting for it.
            if ((document.FindStage(from) ?? (int.TryParse(from, out var i) && i >= 0 && i < document.Stages.Count ? document.Stages[i] : null)) is { } source && source.Index < stage.Index)
                yield return source;
    }

    /// <summary>
    /// The ONBUILD triggers each stage will run, by stage index: those its base stage declares, or those of its base
    /// image when the store has it. They may use stages of this Dockerfile (BuildKit schedules those too); an image
    /// still to be pulled is read when its stage starts, so a stage only its triggers name is then not built.
    /// </summary>
    private async Task<BaseTriggers> BaseTriggersAsync(DockerfileDocument document, MetaArgs metaArgs, Platform platform, CancellationToken cancellationToken)
    {
        var triggers = new BaseTriggers();
        foreach (var stage in document.Stages)
        {
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

/// <summary>A build of several stages: their indexes and labels (name, or <c>stage-N</c>); they may run side by side.</summary>
public sealed record StagesPlanned(IReadOnlyList<(int Stage, string Label)> Stages) : BuildEvent;
