using System.Diagnostics;
using Tabula.Build.Mounts;
using Tabula.Dockerfile;
using Tabula.Dockerfile.Expansion;
using Tabula.Dockerfile.Instructions;
using Tabula.Images;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Build;

/// <summary>One stage of a build: its base, then each instruction in order against a <see cref="StageState"/>.</summary>
internal sealed class StageRun(
    ImageStore store,
    DockerfileDocument document,
    Stage stage,
    BuildContext context,
    BuildOptions options,
    MetaArgs metaArgs,
    DateTimeOffset created,
    HashSet<string> usedArgs,
    BuildSession session,
    NamedContexts named,
    IProgress<BuildEvent>? progress)
{
    private readonly FileTransferStep _files = new(store, context, options, session, created, named);
    private readonly RunStep _run = new(store, context, options.NoCacheFor(stage) ? options with { NoCache = true } : options, session, stage.Index, progress);
    private readonly bool _noCache = options.NoCacheFor(stage);
    private readonly StepCache _cache = new(store.Content, session.Shared, stage.Index, session.Claims);
    private int _step;

    // The instructions still to run after the current one: whether a later step reads the stage's tree.
    private IReadOnlyList<Instruction> _later = [];

    /// <summary>Whether a later stage starts from this one, copies from it or mounts it (and so may read its tree).</summary>
    public bool UsedByOtherStages { get; init; } = true;

    /// <summary>
    /// The time of a history entry that makes no layer: SOURCE_DATE_EPOCH's, else none yet (as in BuildKit's frontend),
    /// so that <see cref="HistoryTimes"/> gives it the time of a layer next to it once the image is complete.
    /// </summary>
    private DateTimeOffset? MetadataTime => options.Timestamp;

    /// <summary>The --build-arg names this stage consumed.</summary>
    public IReadOnlySet<string> UsedArgs => usedArgs;

    public async Task<StageState> ExecuteAsync(IReadOnlyDictionary<int, StageState> built, CancellationToken cancellationToken)
    {
        var from = stage.From.Expand(metaArgs.Expander(document));
        if (named.Find(stage.Name) is not null)
        {
            // Replaced by a named context, as BuildKit replaces it: none of the stage's own instructions run.
            progress?.Report(new StepStarted(stage.Index, 1, 1, $"[context {stage.Name}] {stage.From.Text}"));
            var platform = from.Platform is { Length: > 0 } p ? ParsePlatform(p, from) : options.Platform ?? Platform.Host;
            return (await named.TryLoadAsync(stage.Name!, platform, from.Location, cancellationToken).ConfigureAwait(false))!;
        }
        progress?.Report(new StepStarted(stage.Index, 1, stage.Instructions.Count + 1, stage.From.Text));
        var fromWatch = Stopwatch.StartNew();
        var state = await StartAsync(from, built, cancellationToken).ConfigureAwait(false);
        // FROM makes no layer; its end is reported so a display can time it (a pull may take a while).
        progress?.Report(new StepFinished(stage.Index, 1, null, 0, fromWatch.Elapsed));
        var triggers = OnbuildTriggers(state, from);
        int total = stage.Instructions.Count + 1 + triggers.Count;

        int step = 1;
        var instructions = triggers.Concat(stage.Instructions).ToList();
        foreach (var instruction in instructions)
        {
            step++;
            _step = step;
            _later = instructions[(step - 1)..];
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new StepStarted(stage.Index, step, total, instruction.Text));
            var watch = Stopwatch.StartNew();
            var layer = await DispatchAsync(instruction, state, built, cancellationToken).ConfigureAwait(false);
            progress?.Report(new StepFinished(stage.Index, step, layer?.Digest, layer?.Size ?? 0, watch.Elapsed));
        }
        return state;
    }

    private async Task<ILayer?> DispatchAsync(Instruction instruction, StageState state, IReadOnlyDictionary<int, StageState> built, CancellationToken cancellationToken)
    {
        switch (instruction)
        {
            case ArgInstruction arg:
                DeclareArgs(arg, state);
                return null;
            case RunInstruction run:
                return await _run.RunAsync(run, state, stage.Index, _step, created,
                    new MountSources(store, options.ContextDirectory, document, built, stage.Index, state.Platform, named), Expander(state).ProcessWord, cancellationToken).ConfigureAwait(false);
            case OnbuildInstruction:
                MetadataInstructions.TryApply(instruction, state, MetadataTime);
                return null;
            case AddInstruction add:
            {
                var expanded = add.Expand(Expander(state));
                var checksum = CheckChecksum(expanded);
                var request = new TransferRequest(expanded.Transfer, IsAdd: true, From: null, Parents: false, expanded.Location, checksum, expanded.Unpack) { TreeNeededAfter = TreeNeededAfter };
                var result = await TransferAsync(request, state, built, cancellationToken).ConfigureAwait(false);
                state.AddLayer(result.Layer);
                state.AddHistory(expanded.HistoryText + " # buildkit", false, result.Created);
                return result.Layer;
            }
            case CopyInstruction copy:
            {
                var expanded = copy.Expand(Expander(state));
                var request = new TransferRequest(expanded.Transfer, IsAdd: false, expanded.From, expanded.Parents, expanded.Location) { TreeNeededAfter = TreeNeededAfter };
                var result = await TransferAsync(request, state, built, cancellationToken).ConfigureAwait(false);
                state.AddLayer(result.Layer);
                state.AddHistory(expanded.HistoryText + " # buildkit", false, result.Created);
                return result.Layer;
            }
            case WorkdirInstruction workdir:
            {
                var expanded = workdir.Expand(Expander(state));
                var path = WorkdirPath.Resolve(state.Container.WorkingDir, expanded.Path);
                state.SetContainer(c => c with { WorkingDir = path });
                // BuildKit commits a layer for every WORKDIR but "/": an empty one when the directory exists.
                var result = path == "/" ? null : await WorkdirAsync(path, state, expanded.Location, cancellationToken).ConfigureAwait(false);
                if (result is not null) state.AddLayer(result.Layer);
                state.AddHistory("WORKDIR " + path, result is null, result?.Created ?? MetadataTime);
                return result?.Layer;
            }
            default:
                var applied = MetadataInstructions.TryApply(instruction.Expand(Expander(state)), state, MetadataTime);
                if (!applied) throw new DockerfileException(instruction.Location, $"{instruction.Keyword} is not supported");
                return null;
        }
    }

    /// <summary>
    /// Whether something after the current step reads the stage's file tree: another stage, or a later ADD, COPY or
    /// WORKDIR of this one (RUN reads the stage's layers, not its tree).
    /// </summary>
    private bool TreeNeededAfter => UsedByOtherStages || ReadsTree(_later);

    /// <summary>Whether any of <paramref name="instructions"/> reads the stage's file tree: ADD, COPY and WORKDIR do.</summary>
    internal static bool ReadsTree(IEnumerable<Instruction> instructions)
        => instructions.Any(i => i is AddInstruction or CopyInstruction or WorkdirInstruction);

    /// <summary>
    /// ADD or COPY through the build cache. With <c>--no-cache</c> nothing is looked up and no key is computed, so
    /// such a build reads its context files only once, to write the layer.
    /// </summary>
    private async Task<StepResult> TransferAsync(TransferRequest request, StageState state, IReadOnlyDictionary<int, StageState> built, CancellationToken cancellationToken)
    {
        var key = _noCache ? null : await _files.CacheKeyAsync(request, state, built, document, cancellationToken).ConfigureAwait(false);
        using var claim = key is null ? null : await _cache.ClaimAsync(key, cancellationToken).ConfigureAwait(false);
        if (key is not null && _cache.TryGet(key, created) is { } cached)
        {
            progress?.Report(new StepCacheHit(stage.Index, _step));
            state.Tree = null; // rebuilt from the layers only if a later step needs it
            return cached;
        }
        await FetchCachedLayersAsync(state, cancellationToken).ConfigureAwait(false);
        var layer = await _files.RunAsync(request, state, built, document, cancellationToken).ConfigureAwait(false);
        if (key is not null) _cache.Set(key, layer, created);
        return new StepResult(layer, created);
    }

    /// <summary>
    /// WORKDIR's directory through the build cache, keyed on the parent, the path and USER (its owner): a hit
    /// spares reading the stage's layers to learn whether the directory exists.
    /// </summary>
    private async Task<StepResult> WorkdirAsync(string path, StageState state, SourceLocation location, CancellationToken cancellationToken)
    {
        string key;
        using (var stepKey = StepKey.ForParent("workdir", state, options))
            key = stepKey.Add(path).Add("user=" + state.Container.User).Finish();
        using var claim = _noCache ? null : await _cache.ClaimAsync(key, cancellationToken).ConfigureAwait(false);
        if (!_noCache && _cache.TryGet(key, created) is { } cached)
        {
            progress?.Report(new StepCacheHit(stage.Index, _step));
            state.Tree = null;
            return cached;
        }
        await FetchCachedLayersAsync(state, cancellationToken).ConfigureAwait(false);
        var layer = await _files.MakeDirectoryAsync(path, state, location, cancellationToken).ConfigureAwait(false);
        _cache.Set(key, layer, created);
        return new StepResult(layer, created);
    }

    /// <summary>A step that runs reads the stage's layers: those shared-cache hits promised are fetched now, side by side.</summary>
    private Task FetchCachedLayersAsync(StageState state, CancellationToken cancellationToken)
        => session.Shared?.MaterializeAsync(state.Layers, cancellationToken) ?? Task.CompletedTask;

    /// <summary>BuildKit's rules for <c>ADD --checksum</c>: one source, only a URL or git source has one to check, a sha256 digest.</summary>
    private static Digest? CheckChecksum(AddInstruction add)
    {
        if (add.Checksum is null) return null;
        if (add.Transfer.Sources.Count + add.Transfer.InlineSources.Count != 1)
            throw new DockerfileException(add.Location, "checksum can't be specified for multiple sources");
        var source = add.Transfer.Sources.Count == 1 ? add.Transfer.Sources[0] : "";
        if (!UrlSource.IsHttp(source) && !UrlSource.IsGit(source))
            throw new DockerfileException(add.Location, "checksum requires HTTP(S) or Git sources");
        try
        {
            return UrlSource.ParseChecksum(add.Checksum);
        }
        catch (FormatException e)
        {
            throw new DockerfileException(add.Location, e.Message, e);
        }
    }

    private async Task<StageState> StartAsync(FromInstruction from, IReadOnlyDictionary<int, StageState> built, CancellationToken cancellationToken)
    {
        if (from.Platform is "")
            throw new DockerfileException(from.Location, $"empty platform value from expression {stage.From.Platform}: declare the ARG it names before the first FROM, or give it with --build-arg");
        var platform = from.Platform is { Length: > 0 } p ? ParsePlatform(p, from) : options.Platform ?? Platform.Host;
        var name = from.BaseName;
        if (string.IsNullOrEmpty(name))
            throw new DockerfileException(from.Location, "base name (" + stage.From.BaseName + ") should not be blank");
        if (name.Equals("scratch", StringComparison.OrdinalIgnoreCase))
            return new StageState(EmptyImage.Config(platform), [], platform);

        if (document.FindStage(name) is { } parent && parent.Index < stage.Index)
        {
            var parentState = built[parent.Index];
            return new StageState(parentState.Config, parentState.Layers, parentState.Platform) { Tree = parentState.Tree };
        }

        if (await named.TryLoadAsync(name, platform, from.Location, cancellationToken).ConfigureAwait(false) is { } replaced) return replaced;
        var pullProgress = progress is null ? null : new BaseImageProgress(stage.Index, name, progress);
        // Every platform of a multi-platform build may start from the same name at once: one pulls, the others find it pulled.
        using var claim = await session.Claims.ClaimAsync("base " + name, cancellationToken).ConfigureAwait(false);
        return await BaseImages.LoadAsync(store, options, name, platform, from.Location, "FROM " + name, cancellationToken, pullProgress).ConfigureAwait(false);
    }

    /// <summary>
    /// The base's ONBUILD triggers, as BuildKit runs them: each parsed as an instruction and dispatched right after
    /// FROM, before the stage's own instructions, with the FROM line as their place. The stage's image keeps none.
    /// </summary>
    private static List<Instruction> OnbuildTriggers(StageState state, FromInstruction from)
    {
        var triggers = state.Container.OnBuild;
        if (triggers is not { Count: > 0 }) return [];
        state.SetContainer(c => c with { OnBuild = null });
        return ParseTriggers(triggers, from);
    }

    /// <summary>ONBUILD trigger texts as the instructions they run, located at the FROM line that runs them.</summary>
    internal static List<Instruction> ParseTriggers(IEnumerable<string> triggers, FromInstruction from)
    {
        var instructions = new List<Instruction>();
        foreach (var trigger in triggers)
        {
            IReadOnlyList<Instruction> parsed;
            try
            {
                parsed = DockerfileParser.Parse("FROM scratch\n" + trigger + "\n", from.Location.FileName).Stages[0].Instructions;
            }
            catch (DockerfileException e)
            {
                throw new DockerfileException(from.Location, $"ONBUILD trigger \"{trigger}\" of the base image: {e.Message}", e);
            }
            if (parsed.Count != 1)
                throw new DockerfileException(from.Location, $"ONBUILD trigger \"{trigger}\" of the base image is not one instruction");
            var instruction = parsed[0];
            if (instruction is FromInstruction or OnbuildInstruction || instruction.Keyword == "MAINTAINER")
                throw new DockerfileException(from.Location, $"{instruction.Keyword} isn't allowed as an ONBUILD trigger");
            instructions.Add(instruction with { Source = instruction.Source with { Location = from.Location } });
        }
        return instructions;
    }

    private static Platform ParsePlatform(string text, FromInstruction from)
    {
        try { return Platform.Parse(text); }
        catch (FormatException e) { throw new DockerfileException(from.Location, e.Message); }
    }

    /// <summary>ARG in a stage: a --build-arg wins, then the default, then the global value of the same name.</summary>
    private void DeclareArgs(ArgInstruction arg, StageState state)
    {
        var shown = new List<string>();
        foreach (var declaration in arg.Arguments)
        {
            string? value;
            if (options.BuildArgs.TryGetValue(declaration.Name, out var given)) { value = given; usedArgs.Add(declaration.Name); }
            else if (declaration.DefaultValue is not null) value = arg.ExpandDefault(declaration, Expander(state)).DefaultValue;
            else value = metaArgs.Values.TryGetValue(declaration.Name, out var global) ? global : null;
            state.DeclareArg(declaration.Name, value);
            shown.Add(value is null ? declaration.Name : declaration.Name + "=" + value);
        }
        state.AddHistory("ARG " + string.Join(" ", shown), true, MetadataTime);
    }

    private ShellWordExpander Expander(StageState state) => new(new VariableMap(state.ExpansionVariables()), document.EscapeToken);
}
