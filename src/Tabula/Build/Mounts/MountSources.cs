using System.Globalization;
using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;
using Tabula.Transports;

namespace Tabula.Build.Mounts;

/// <summary>Where bind and cache mounts find their content: the context, the stages built so far, the store.</summary>
internal sealed class MountSources(ImageStore store, string contextDirectory, DockerfileDocument document, IReadOnlyDictionary<int, StageState> built, int stageIndex, Oci.Platform platform)
{
    public string ContextDirectory => contextDirectory;
    public string StoreRoot => store.Content.Root;

    public async Task<IReadOnlyList<Images.ILayer>> LayersAsync(string from, RunInstruction run, CancellationToken cancellationToken)
    {
        var stage = document.FindStage(from) ?? (int.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < document.Stages.Count ? document.Stages[index] : null);
        if (stage is not null)
        {
            if (stage.Index >= stageIndex || !built.TryGetValue(stage.Index, out var state))
                throw new DockerfileException(run.Location, $"cannot mount from stage \"{from}\", stage needs to be defined before current command");
            return state.Layers;
        }
        var stored = await store.Resolver.TryResolveAsync(from, cancellationToken).ConfigureAwait(false)
            ?? throw new DockerfileException(run.Location, $"RUN --mount from={from}: no stage of that name, and no such image in the local store");
        var image = await store.LoadAsync(stored, platform, cancellationToken).ConfigureAwait(false);
        return image.Layers;
    }
}
