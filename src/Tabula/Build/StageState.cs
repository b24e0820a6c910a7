using Tabula.Images;
using Tabula.Layers;
using Tabula.Oci;

namespace Tabula.Build;

/// <summary>
/// A stage while it is being built: the image config and layers so far, and the build args in scope.
/// Each instruction replaces the config with a changed copy and may append one layer.
/// </summary>
internal sealed class StageState(ImageConfig config, IReadOnlyList<ILayer> layers, Platform platform)
{
    public ImageConfig Config { get; set; } = config;
    public List<ILayer> Layers { get; } = [.. layers];
    public Platform Platform { get; } = platform;

    /// <summary>ARGs declared in this stage with their values, in declaration order (later wins).</summary>
    public Dictionary<string, string?> Args { get; } = new(StringComparer.Ordinal);

    public ContainerConfig Container => Config.Config ?? new ContainerConfig();

    /// <summary>The stage's filesystem as metadata, built from the layers only when a step needs it.</summary>
    public FileTree? Tree { get; set; }

    public async Task<FileTree> GetTreeAsync(CancellationToken cancellationToken)
    {
        if (Tree is not null) return Tree;
        if (Layers.Count == 0) return Tree = new FileTree();
        var layers = Layers.ToArray();
        var openers = layers.Select(l => (Func<CancellationToken, Task<Stream>>)l.OpenUncompressedAsync).ToList();
        return Tree = await LayerApplier.BuildLowerTreeAsync(openers, LayerSlice.OpenerFor(layers), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether this stage set CMD itself; ENTRYPOINT clears an inherited CMD only (BuildKit).</summary>
    public bool CmdSetInStage { get; set; }

    public void SetContainer(Func<ContainerConfig, ContainerConfig> change) => Config = Config with { Config = change(Container) };

    public void AddHistory(string createdBy, bool emptyLayer, DateTimeOffset created)
        => Config = Config with
        {
            History = [.. Config.History ?? [], new HistoryEntry { Created = created, CreatedBy = createdBy, Comment = "buildkit.dockerfile.v0", EmptyLayer = emptyLayer ? true : null }],
        };

    public void AddLayer(ILayer layer)
    {
        Layers.Add(layer);
        Config = Config with { RootFs = Config.RootFs with { DiffIds = [.. Config.RootFs.DiffIds, layer.DiffId] } };
    }

    /// <summary>The variables word expansion sees: the image's ENV, then ARGs with a value (ENV wins on a clash, as in BuildKit).</summary>
    public Dictionary<string, string> ExpansionVariables()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in Args)
            if (value is not null) variables[name] = value;
        foreach (var entry in Container.Env ?? [])
        {
            int eq = entry.IndexOf('=');
            if (eq > 0) variables[entry[..eq]] = entry[(eq + 1)..];
        }
        return variables;
    }
}
