using System.Globalization;
using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;
using Tabula.Transports;

namespace Tabula.Build.Mounts;

/// <summary>Where bind and cache mounts find their content: the context, the stages built so far, the store.</summary>
internal sealed class MountSources(ImageStore store, string contextDirectory, DockerfileDocument document, IReadOnlyDictionary<int, StageState> built, int stageIndex, Oci.Platform platform, NamedContexts named)
{
    /// <summary>The directory of a named local context <c>from=</c> names (mounted as the context is), or null.</summary>
    public string? LocalDirectory(string from) => named.Find(from) is LocalNamedContext local ? local.Directory : null;

    /// <summary>What keys a bind of a named local context: its files, as the build context's are keyed.</summary>
    public ContextChecksum? LocalChecksum(string from) => named.LocalChecksum(from);

    /// <summary>The filesystem of the earlier stage <c>from=</c> names, or null when it names an image.</summary>
    public async Task<Layers.FileTree?> StageTreeAsync(string from, RunInstruction run, CancellationToken cancellationToken)
        => Stage(from, run) is { } state ? await state.GetTreeAsync(cancellationToken).ConfigureAwait(false) : null;

    private StageState? Stage(string from, RunInstruction run)
    {
        var stage = document.FindStage(from) ?? (int.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < document.Stages.Count ? document.Stages[index] : null);
        if (stage is null) return null;
        if (stage.Index >= stageIndex || !built.TryGetValue(stage.Index, out var state))
            throw new DockerfileException(run.Location, $"cannot mount from stage \"{from}\", stage needs to be defined before current command");
        return state;
    }

    public string ContextDirectory => contextDirectory;
    public string StoreRoot => store.Content.Root;

    public async Task<IReadOnlyList<Images.ILayer>> LayersAsync(string from, RunInstruction run, CancellationToken cancellationToken)
    {
        if (Stage(from, run) is { } state) return state.Layers;
        if (await named.TryLoadAsync(from, platform, run.Location, cancellationToken).ConfigureAwait(false) is { } replaced) return replaced.Layers;
        var stored = await store.Resolver.TryResolveAsync(from, cancellationToken).ConfigureAwait(false)
            ?? throw new DockerfileException(run.Location, $"RUN --mount from={from}: no stage of that name, and no such image in the local store");
        var image = await store.LoadAsync(stored, platform, cancellationToken).ConfigureAwait(false);
        return image.Layers;
    }
}
