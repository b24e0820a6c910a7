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

    /// <summary>
    /// ARG values that override an ENV of the same name: BuildKit adds an ARG with a value to the environment of
    /// later steps, so whichever of ENV and ARG came last gives the value RUN and expansion see (the image's ENV
    /// keeps its own value).
    /// </summary>
    private readonly Dictionary<string, string> _argsOverEnv = new(StringComparer.Ordinal);

    /// <summary>Declares an ARG of the stage (null: declared without a value).</summary>
    public void DeclareArg(string name, string? value)
    {
        Args[name] = value;
        if (value is null) _argsOverEnv.Remove(name);
        else _argsOverEnv[name] = value;
    }

    /// <summary>ENV: sets the variable in the image config; it now wins over an earlier ARG of the same name.</summary>
    public void SetEnv(string name, string value)
    {
        SetContainer(c => c with { Env = EnvList.Set(c.Env, name, value) });
        _argsOverEnv.Remove(name);
    }

    /// <summary>
    /// The environment later steps run with, as BuildKit's state holds it: the image's ENV with the ARGs declared
    /// after an ENV of the same name in its place, then the other ARGs with a value.
    /// </summary>
    public List<KeyValuePair<string, string>> StepEnvironment()
    {
        var env = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in Container.Env ?? [])
        {
            int eq = entry.IndexOf('=');
            if (eq <= 0 || !seen.Add(entry[..eq])) continue;
            var name = entry[..eq];
            env.Add(new(name, _argsOverEnv.TryGetValue(name, out var arg) ? arg : entry[(eq + 1)..]));
        }
        foreach (var (name, value) in Args)
            if (value is not null && seen.Add(name)) env.Add(new(name, value));
        return env;
    }

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

    /// <param name="created">The entry's time; null for one the finished image gives a time (<see cref="HistoryTimes"/>).</param>
    public void AddHistory(string createdBy, bool emptyLayer, DateTimeOffset? created)
        => Config = Config with
        {
            History = [.. Config.History ?? [], new HistoryEntry { Created = created, CreatedBy = createdBy, Comment = "buildkit.dockerfile.v0", EmptyLayer = emptyLayer ? true : null }],
        };

    public void AddLayer(ILayer layer)
    {
        Layers.Add(layer);
        Config = Config with { RootFs = Config.RootFs with { DiffIds = [.. Config.RootFs.DiffIds, layer.DiffId] } };
    }

    /// <summary>The variables word expansion sees: the <see cref="StepEnvironment"/>, as in BuildKit.</summary>
    public Dictionary<string, string> ExpansionVariables() => new(StepEnvironment(), StringComparer.Ordinal);
}
