using System.Diagnostics;
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
public sealed class Builder(ImageStore store, IProgress<BuildEvent>? progress = null)
{
    public async Task<BuildResult> BuildAsync(BuildOptions options, CancellationToken cancellationToken)
    {
        var (text, fileName) = ReadDockerfile(options);
        var document = DockerfileParser.Parse(text, fileName);
        var context = BuildContext.Open(options.ContextDirectory, options.DockerfilePath);
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
        var needed = StagesNeeded(document, target, metaArgs).ToList();
        if (needed.Count > 1) progress?.Report(new StagesPlanned(needed.Select(s => (s.Index, StageLabel(s))).ToList()));
        var runs = needed.ToDictionary(s => s.Index, s => new StageRun(store, document, s, context, options, metaArgs, created, new HashSet<string>(StringComparer.Ordinal), session, progress));
        var built = await BuildStagesAsync(document, needed, metaArgs, runs, cancellationToken).ConfigureAwait(false);
        var usedArgs = runs.Values.SelectMany(r => r.UsedArgs).ToHashSet(StringComparer.Ordinal);

        var final = built[target.Index];
        var config = final.Config with { Created = created };
        var image = Image.Create(config, final.Layers, options.OciMediaTypes || options.Compression == LayerCompression.Zstd);
        var manifest = await store.Layout.WriteImageAsync(image, null, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (options.Tags.Count == 0)
            await store.References.AddUnnamedAsync(manifest, cancellationToken).ConfigureAwait(false);
        foreach (var tag in options.Tags)
            await store.References.TagAsync(tag, manifest, cancellationToken).ConfigureAwait(false);

        // The proxy variables are predefined: RUN receives them without an ARG, so they are never "unused".
        var unused = options.BuildArgs.Keys
            .Where(k => !usedArgs.Contains(k) && !metaArgs.Consumed.Contains(k) && !PredefinedArgs.Proxy.Contains(k) && k != SourceDateEpoch.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (unused.Count > 0) progress?.Report(new BuildWarning($"One or more build-args [{string.Join(' ', unused)}] were not consumed"));
        return new BuildResult(manifest, image.Manifest.Config.Digest, options.Tags);
    }

    private static (string Text, string FileName) ReadDockerfile(BuildOptions options)
    {
        if (options.DockerfileText is { } given) return (given, options.DockerfilePath ?? "Dockerfile");
        var path = options.DockerfilePath ?? Path.Combine(options.ContextDirectory, "Dockerfile");
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

    private static Stage ChooseTarget(DockerfileDocument document, string? target)
    {
        // A file of only ARGs (or comments) parses: it just has nothing to build, which docker also refuses.
        if (document.Stages.Count == 0)
            throw new DockerfileException(new SourceLocation(document.FileName, 1, 1), "the Dockerfile has no FROM instruction, so no stage to build");
        if (target is null) return document.Stages[^1];
        return document.FindStage(target)
            ?? throw new DockerfileException(new SourceLocation(document.FileName, 1, 1), $"target stage \"{target}\" could not be found");
    }

    /// <summary>
    /// Runs every needed stage as soon as the stages it uses are built, so independent stages run side by side (as
    /// BuildKit runs them). A stage only ever uses earlier stages, so file order is an order in which each one's
    /// dependencies are already scheduled. The first failure cancels the rest and is the one reported.
    /// </summary>
    private static async Task<Dictionary<int, StageState>> BuildStagesAsync(DockerfileDocument document, List<Stage> needed, MetaArgs metaArgs,
        Dictionary<int, StageRun> runs, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Dictionary<int, Task<StageState>>();
        foreach (var stage in needed)
        {
            var dependencies = DependenciesOf(document, stage, metaArgs).Select(d => d.Index).Distinct().Where(tasks.ContainsKey).ToList();
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
    private static IEnumerable<Stage> StagesNeeded(DockerfileDocument document, Stage target, MetaArgs metaArgs)
    {
        var needed = new SortedSet<int>();
        var pending = new Stack<Stage>([target]);
        while (pending.TryPop(out var stage))
        {
            if (!needed.Add(stage.Index)) continue;
            foreach (var source in DependenciesOf(document, stage, metaArgs)) pending.Push(source);
        }
        return needed.Select(i => document.Stages[i]);
    }

    /// <summary>The earlier stages a stage starts FROM, copies --from or mounts from.</summary>
    private static IEnumerable<Stage> DependenciesOf(DockerfileDocument document, Stage stage, MetaArgs metaArgs)
    {
        var baseName = stage.From.Expand(metaArgs.Expander(document)).BaseName;
        if (document.FindStage(baseName) is { } parent && parent.Index < stage.Index) yield return parent;
        var froms = stage.Instructions.OfType<CopyInstruction>().Select(c => c.From).OfType<string>()
            .Concat(stage.Instructions.OfType<RunInstruction>().SelectMany(RunMounts.Sources));
        foreach (var from in froms)
            if ((document.FindStage(from) ?? (int.TryParse(from, out var i) && i >= 0 && i < stage.Index ? document.Stages[i] : null)) is { } source)
                yield return source;
    }
}

/// <summary>Global ARG values (predefined platform args, meta-ARG defaults, --build-arg overrides).</summary>
internal sealed record MetaArgs(Dictionary<string, string> Values, HashSet<string> Consumed)
{
    public ShellWordExpander Expander(DockerfileDocument document) => new(new VariableMap(Values), document.EscapeToken);
}

public sealed record BuildWarning(string Message) : BuildEvent;

/// <summary>A build of several stages: their indexes and labels (name, or <c>stage-N</c>); they may run side by side.</summary>
public sealed record StagesPlanned(IReadOnlyList<(int Stage, string Label)> Stages) : BuildEvent;
