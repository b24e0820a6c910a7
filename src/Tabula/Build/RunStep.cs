using System.Text;
using Tabula.Build.Mounts;
using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;
using Tabula.Dockerfile.Syntax;
using Tabula.Images;
using Tabula.Layers;
using Tabula.Oci;
using Tabula.Runtime;
using Tabula.Runtime.Cdi;
using Tabula.Runtime.Snapshots;
using Tabula.Transports;

namespace Tabula.Build;

/// <summary>A line a RUN step's command wrote (stdout and stderr together), for the build's output.</summary>
public sealed record StepOutput(int Stage, int Step, string Line) : BuildEvent;

/// <summary>
/// RUN: the stage's layers are unpacked into a fresh temporary rootfs, the command runs there in a container
/// (an OCI runtime, runc by default) with the stage's ENV, ARGs, USER and WORKDIR, and what it changed — found by
/// comparing the rootfs with the tree it was unpacked from — becomes the step's layer.
/// </summary>
internal sealed class RunStep(ImageStore store, BuildContext context, BuildOptions options, BuildSession session, int stage, IProgress<BuildEvent>? progress)
{
    private const int TailLines = 12;
    private const string PipesDirectory = "/dev/pipes/";
    private readonly StepCache _cache = new(store.Content, session.Shared, stage, session.Claims);
    private OciRuntime? _runtime;
    private ContainerWorkspaces? _workspaces;

    private DateTimeOffset? Epoch => options.Timestamp;

    /// <returns>
    /// The step's layer: an empty one when the command changed nothing, committed as BuildKit commits it (a diffID and
    /// <c>empty_layer</c> false; docker's legacy builder records no layer then).
    /// </returns>
    public async Task<ILayer> RunAsync(RunInstruction run, StageState state, int stageIndex, int step, DateTimeOffset created, MountSources sources, Func<string, string> expand, CancellationToken cancellationToken)
    {
        CheckSupported(run);
        ContainerPrivileges privileges;
        try
        {
            privileges = ContainerPrivileges.Detect();
        }
        catch (ContainerPrivilegeException e)
        {
            throw new DockerfileException(run.Location, e.Message, e);
        }
        var mountSpecs = RunMountParser.Parse(run, expand);
        var secrets = SecretFiles.Find(mountSpecs, run, options.Secrets);
        var sshSockets = SshSockets.Find(mountSpecs, run, options.SshAgents);
        var network = run.Network switch
        {
            "none" => NetworkMode.None,
            "host" => NetworkMode.Host,
            _ => options.Network,
        };
        var (args, script) = Command(run, state);
        var env = Environment(state);
        var devices = Devices(run);
        SshSockets.AddAuthSocket(sshSockets, env);
        string cacheKey = await CacheKeyAsync(run, state, args, script, env, network, mountSpecs, sources, devices, cancellationToken).ConfigureAwait(false);
        // A cache mount is exported (mounts=) when any RUN mounts it, whether that RUN ran or hit.
        if (session.Shared is { } recording)
            foreach (var (name, id) in await RunMounts.CacheNamesAsync(mountSpecs, run, sources, cancellationToken).ConfigureAwait(false))
                recording.RecordMount(name, id);
        using var claim = options.NoCache ? null : await _cache.ClaimAsync(cacheKey, cancellationToken).ConfigureAwait(false);
        if (!options.NoCache && (_cache.TryGet(cacheKey, created) is { } || _cache.IsKnownEmpty(cacheKey)))
        {
            var cached = _cache.TryGet(cacheKey, created);
            if (cached is null)
            {
                // A cache written before empty layers were committed records none: the empty layer is made, and recorded.
                cached = new StepResult(await LayerCommit.CommitAsync(store, options, new FileTree(), cancellationToken).ConfigureAwait(false), created);
                _cache.Set(cacheKey, cached.Layer, created);
            }
            progress?.Report(new StepCacheHit(stageIndex, step));
            Record(state, cached, args);
            return cached.Layer;
        }

        try { BinfmtEmulation.EnsureCanRun(state.Platform, Platform.Host); }
        catch (EmulationUnavailableException e) { throw new DockerfileException(run.Location, "RUN: " + e.Message, e); }
        try { _runtime ??= OciRuntime.Find(options.Runtime); }
        catch (FileNotFoundException e) { throw new DockerfileException(run.Location, "RUN needs an OCI runtime: " + e.Message, e); }

        // The command runs on the stage's filesystem: layers that shared-cache hits promised are fetched now, side by side.
        if (session.Shared is { } shared) await shared.MaterializeAsync(state.Layers, cancellationToken).ConfigureAwait(false);
        _workspaces ??= new ContainerWorkspaces(SnapshotStore.ForStore(store.Content.Root, privileges), options.Snapshotter, privileges);
        ContainerWorkspace workspace;
        try
        {
            workspace = await _workspaces.CreateAsync(state.Layers, "run", cancellationToken).ConfigureAwait(false);
        }
        catch (SnapshotException e)
        {
            throw new DockerfileException(run.Location, "RUN: " + e.Message, e);
        }
        var cacheLocks = new List<IDisposable>();
        var agentProxies = new List<SshAgentProxy>();
        string? secretsDirectory = null;
        try
        {
            string bundle = workspace.BundleDirectory;
            var mounts = await RunMounts.PrepareAsync(mountSpecs, run, state, sources, Path.Combine(workspace.Owner.Path, "mounts"), options.NoCache, cacheLocks, session.Shared, cancellationToken).ConfigureAwait(false);
            var runEnv = RunEnvironment([.. env, .. devices.Env]);
            if (secrets.Count > 0 || sshSockets.Any(s => s.Agent is not null))
            {
                secretsDirectory = SecretsDirectory.Create(workspace.Owner);
                workspace.Owner.RecordSecrets(secretsDirectory);
            }
            var extra = await SecretFiles.PrepareAsync(secrets, secretsDirectory ?? "", runEnv, canChown: !privileges.Rootless, cancellationToken).ConfigureAwait(false);
            SshSockets.Start(sshSockets, secretsDirectory ?? "", canChown: !privileges.Rootless, extra, agentProxies);
            if (script is { } s)
            {
                string scriptPath = Path.Combine(workspace.Owner.Path, "script");
                await File.WriteAllTextAsync(scriptPath, s.Content, cancellationToken).ConfigureAwait(false);
                File.SetUnixFileMode(scriptPath, (UnixFileMode)0b111_101_101);
                extra.Add((PipesDirectory + s.Name, scriptPath, true));
            }
            var output = new OutputLines(line => progress?.Report(new StepOutput(stageIndex, step, line)), TailLines);
            var started = RootfsDiff.Mark(workspace.Owner.Path);
            int exitCode;
            try
            {
                exitCode = await ContainerRun.RunAsync(new ContainerRequest
                {
                    Runtime = _runtime,
                    BundleDirectory = bundle,
                    Tree = workspace.Tree,
                    Overlay = workspace.Overlay?.Rootfs,
                    Owner = workspace.Owner,
                    Args = args,
                    Env = runEnv,
                    WorkingDir = state.Container.WorkingDir,
                    User = state.Container.User,
                    Network = network,
                    Hostname = PredefinedArgs.Hostname(options.BuildArgs),
                    ReadOnlyEtcFiles = true,
                    ExtraFiles = extra,
                    Mounts = [.. mounts, .. devices.Mounts],
                    Devices = devices.Nodes,
                    Stdout = output,
                    Stderr = output,
                    Privileges = privileges,
                    Sandbox = options.Sandbox,
                    Insecure = Insecure(run),
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is FormatException or ContainerPrivilegeException)
            {
                throw new DockerfileException(run.Location, $"RUN: {e.Message}", e);
            }
            output.Complete();
            cancellationToken.ThrowIfCancellationRequested(); // a Ctrl-C reached the container too: this is no failure of the command
            if (exitCode != 0)
            {
                var tail = output.Tail.Count == 0 ? "" : "; last output: " + string.Join(" | ", output.Tail);
                throw new DockerfileException(run.Location,
                    $"RUN failed: process \"{string.Join(' ', args)}\" did not complete successfully: exit code: {exitCode}{tail}{RuntimeFailureHint(exitCode, output)}");
            }

            ILayer layer;
            if (workspace.Overlay is { } overlay)
            {
                layer = await LayerCommit.CommitDirectoryAsync(store, options, overlay.Rootfs.Root.UpperDirectory, overlay.Rootfs.Lower, overlay.Rootfs.Root.InUserNamespace, cancellationToken).ConfigureAwait(false);
                var parentChain = ChainIds.Of([.. state.Layers.Select(l => l.DiffId)]);
                overlay.CommitUpper(parentChain.Count == 0 ? layer.DiffId : ChainIds.Next(parentChain[^1], layer.DiffId));
            }
            else
            {
                var upper = RootfsDiff.Compute(workspace.Tree!, Path.Combine(bundle, "rootfs"), Epoch, privileges.Rootless, started);
                layer = await LayerCommit.CommitAsync(store, options, upper, cancellationToken).ConfigureAwait(false);
            }
            _cache.Set(cacheKey, layer, created);
            Record(state, new StepResult(layer, created), args);
            return layer;
        }
        finally
        {
            foreach (var held in cacheLocks) held.Dispose();
            foreach (var proxy in agentProxies) await proxy.DisposeAsync().ConfigureAwait(false);
            if (secretsDirectory is not null) ScratchDirectory.Delete(secretsDirectory);
            workspace.Dispose();
        }
    }

    /// <summary>
    /// runc reports its own failures (before the command ever started) on stderr with exit code 1 or 255; say what
    /// that usually means here rather than leave it as the command's failure.
    /// </summary>
    private static string RuntimeFailureHint(int exitCode, OutputLines output)
        => exitCode is 1 or 255 && output.Tail.Any(l => l.Contains("runc create failed", StringComparison.Ordinal) || l.Contains("container_linux.go", StringComparison.Ordinal) || l.Contains("unable to start container process", StringComparison.Ordinal))
            ? " (the OCI runtime could not start the container: " + ContainerRequirements.Describe() + ")"
            : "";

    private static void Record(StageState state, StepResult result, IReadOnlyList<string> args)
    {
        state.Tree = null; // the rootfs is gone: a later step rebuilds the tree from the layers
        state.AddLayer(result.Layer);
        state.AddHistory("RUN " + HistoryCommand(args, state) + " # buildkit", false, result.Created);
    }

    /// <summary>
    /// What decides a RUN's result, as far as a cache can know: parent layers, process, layer settings, and each
    /// mount's spec — with a bind mount's content (the context files under its source, or the layers of the stage
    /// or image it comes from). Secrets and where an SSH agent's socket is are not in it, as in BuildKit.
    /// </summary>
    private async Task<string> CacheKeyAsync(RunInstruction run, StageState state, IReadOnlyList<string> args, (string Name, string Content)? script,
        IReadOnlyList<string> env, NetworkMode network, IReadOnlyList<RunMount> mounts, MountSources sources, DeviceEdits devices, CancellationToken cancellationToken)
    {
        using var key = StepKey.ForParent("run", state, options);
        key.AddList("args", args).Add(script is { } s ? "script=" + s.Name + "\n" + s.Content : "no script").AddList("env", env)
            .Add("user=" + state.Container.User).Add("workdir=" + state.Container.WorkingDir).Add("network=" + network)
            .Add("hostname=" + PredefinedArgs.Hostname(options.BuildArgs)).Add("sandbox=" + options.Sandbox.KeyText());
        if (Insecure(run)) key.Add("security=insecure");
        if (devices.Names.Count > 0) key.Add("devices=" + devices.KeyText());
        await RunMounts.AddToKeyAsync(key, mounts, run, sources, new ContextChecksum(context, session.Checksums), cancellationToken).ConfigureAwait(false);
        return key.Finish();
    }

    private void CheckSupported(RunInstruction run)
    {
        if (Insecure(run) && !options.Allow.HasFlag(BuildEntitlements.SecurityInsecure))
            throw new DockerfileException(run.Location,
                $"RUN --security=insecure: entitlement {BuildEntitlementNames.SecurityInsecure} is not allowed; build with --allow {BuildEntitlementNames.SecurityInsecure} to run it as a privileged container");
    }

    /// <summary>The CDI devices of <c>RUN --device</c>, read from this machine's specs (see <see cref="CdiDevices"/>).</summary>
    private DeviceEdits Devices(RunInstruction run)
    {
        if (run.Devices.Count == 0) return DeviceEdits.None;
        try
        {
            var requests = run.Devices.Select(DeviceRequest.Parse).ToList();
            return CdiDevices.Load(options.CdiSpecDirectories).Resolve(requests, options.Allow.HasFlag(BuildEntitlements.Device));
        }
        catch (Exception e) when (e is FormatException or CdiException or IOException or UnauthorizedAccessException)
        {
            throw new DockerfileException(run.Location, "RUN --device: " + e.Message, e);
        }
    }

    private static bool Insecure(RunInstruction run) => run.Security == "insecure";

    /// <summary>
    /// The process arguments, as BuildKit makes them: exec form as is; shell form through SHELL (default
    /// <c>/bin/sh -c</c>). A command that is only one heredoc runs its body — as a script mounted at
    /// <c>/dev/pipes/NAME</c> when it starts with <c>#!</c>; other heredocs are handed to the shell whole.
    /// </summary>
    internal static (IReadOnlyList<string> Args, (string Name, string Content)? Script) Command(RunInstruction run, StageState state)
    {
        var command = run.Command;
        IReadOnlyList<string> words = command.Arguments;
        (string, string)? script = null;
        if (run.Heredocs.Count > 0 && command.PrependShell && words.Count == 1)
        {
            var first = run.Heredocs[0];
            if (HeredocDetector.Parse(words[0]) is not null)
            {
                string body = first.Chomp ? first.ChompedContent : first.Content;
                if (body.StartsWith("#!", StringComparison.Ordinal))
                {
                    script = (first.Name, body);
                    words = [PipesDirectory + first.Name];
                }
                else
                {
                    words = [body];
                }
            }
            else
            {
                var full = new StringBuilder(words[0]);
                foreach (var heredoc in run.Heredocs) full.Append('\n').Append(heredoc.Content).Append(heredoc.Name);
                words = [full.ToString()];
            }
        }
        IReadOnlyList<string> shell = state.Container.Shell is { Count: > 0 } s ? s : ["/bin/sh", "-c"];
        return (command.PrependShell ? [.. shell, .. words] : words, script);
    }

    /// <summary>The stage's <see cref="StageState.StepEnvironment"/>: what the cache key holds (the proxy variables are added only to run).</summary>
    private static List<string> Environment(StageState state) => state.StepEnvironment().Select(p => p.Key + "=" + p.Value).ToList();

    /// <summary>The step's environment and, for names it does not set, BuildKit's proxy environment.</summary>
    private List<string> RunEnvironment(IReadOnlyList<string> env)
    {
        var keys = new HashSet<string>(env.Select(e => e.Split('=', 2)[0]), StringComparer.Ordinal);
        return [.. env, .. PredefinedArgs.ProxyEnvironment(options.BuildArgs).Where(e => !keys.Contains(e.Split('=', 2)[0]))];
    }

    /// <summary>
    /// BuildKit's runCommandString: <c>|N K=V … </c> for every ARG declared in the stage, each with the value the
    /// step's environment gives it (an ENV of the same name, or its own), <c>K=</c> when it has none; then the arguments.
    /// </summary>
    internal static string HistoryCommand(IReadOnlyList<string> args, StageState state)
    {
        var env = state.ExpansionVariables();
        var buildEnv = state.Args.Select(a => a.Key + "=" + (env.TryGetValue(a.Key, out var v) ? v : a.Value ?? "")).ToList();
        var joined = string.Join(' ', args);
        return buildEnv.Count == 0 ? joined : $"|{buildEnv.Count} {string.Join(' ', buildEnv)} {joined}";
    }

    /// <summary>Collects a container's output into lines: each is reported as it completes, the last few are kept.</summary>
    private sealed class OutputLines(Action<string> report, int keep) : Stream
    {
        private readonly Queue<string> _tail = new();
        private readonly List<byte> _pending = [];

        public IReadOnlyCollection<string> Tail => _tail;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_pending)
            {
                for (int i = offset; i < offset + count; i++)
                {
                    if (buffer[i] == (byte)'\n') Emit();
                    else _pending.Add(buffer[i]);
                }
            }
        }

        public void Complete()
        {
            lock (_pending)
                if (_pending.Count > 0) Emit();
        }

        private void Emit()
        {
            var line = Encoding.UTF8.GetString(_pending.ToArray()).TrimEnd('\r');
            _pending.Clear();
            _tail.Enqueue(line);
            while (_tail.Count > keep) _tail.Dequeue();
            report(line);
        }
    }
}
