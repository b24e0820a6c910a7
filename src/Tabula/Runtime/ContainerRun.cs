using Tabula.Layers;

namespace Tabula.Runtime;

/// <summary>One process to run in a container over a rootfs already on disk at <c>BundleDirectory/rootfs</c>.</summary>
internal sealed record ContainerRequest
{
    public required OciRuntime Runtime { get; init; }

    /// <summary>The bundle folder; its <c>rootfs</c> holds the unpacked image, config.json and the /etc files are written beside it.</summary>
    public required string BundleDirectory { get; init; }

    /// <summary>
    /// The rootfs unpacked at <c>BundleDirectory/rootfs</c>, as a tree, for looking up the user in the image's
    /// /etc/passwd and /etc/group. Null when the root is an <see cref="Overlay"/>.
    /// </summary>
    public FileTree? Tree { get; init; }

    /// <summary>The root as an overlay of snapshots (the runtime mounts it; <c>BundleDirectory/rootfs</c> stays an empty mount point).</summary>
    public OverlayRootfs? Overlay { get; init; }

    /// <summary>Where the container is recorded while it runs, so that a later command can delete it if this process is killed.</summary>
    public Snapshots.ActiveDirectory? Owner { get; init; }

    public required IReadOnlyList<string> Args { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    public NetworkMode Network { get; init; } = NetworkMode.Host;
    public string Hostname { get; init; } = "tabula";
    public bool TmpfsTmp { get; init; }

    /// <summary>/etc/hosts, /etc/resolv.conf and /etc/hostname mounted read-only (as in BuildKit's RUN).</summary>
    public bool ReadOnlyEtcFiles { get; init; }

    /// <summary>More files bind-mounted into the container: destination inside it, source on the host, read-only or not.</summary>
    public IReadOnlyList<(string Destination, string Source, bool ReadOnly)> ExtraFiles { get; init; } = [];

    /// <summary>More mounts (RUN --mount: tmpfs, bind and cache directories), after the files, in order.</summary>
    public IReadOnlyList<ContainerMount> Mounts { get; init; } = [];

    /// <summary>Where the output goes (null: straight to this process's own stdout/stderr).</summary>
    public Stream? Stdout { get; init; }
    public Stream? Stderr { get; init; }
    public bool AttachStdin { get; init; }

    /// <summary>Extra /etc/hosts entries, the /dev/shm size and rlimits (a build's <c>--add-host</c>, <c>--shm-size</c>, <c>--ulimit</c>).</summary>
    public SandboxSettings Sandbox { get; init; } = new();

    /// <summary>As root or rootless; null: detected (<see cref="ContainerPrivileges.Detect()"/>).</summary>
    public ContainerPrivileges? Privileges { get; init; }

    /// <summary>A privileged container (<c>RUN --security=insecure</c>, see <see cref="PrivilegedContainer"/>); root only.</summary>
    public bool Insecure { get; init; }

    /// <summary>Device nodes to make (<c>RUN --device</c>); root only.</summary>
    public IReadOnlyList<ContainerDevice> Devices { get; init; } = [];
}

/// <summary>An overlay root: the mount itself, and the merged view of its lower directories for reading the image's files.</summary>
internal sealed record OverlayRootfs(OverlayRoot Root, Snapshots.SnapshotView Lower);

/// <summary>Writes a bundle's config.json and /etc files, makes the mount points, runs the container and tidies the rootfs after.</summary>
internal static class ContainerRun
{
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static async Task<int> RunAsync(ContainerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Args.Count == 0) throw new ArgumentException("no command to run: the image has no CMD or ENTRYPOINT and none was given");
        var privileges = request.Privileges ?? ContainerPrivileges.Detect();
        var user = request.Overlay is { } overlay
            ? await ContainerUser.ResolveAsync(request.User, (path, _) => ValueTask.FromResult(overlay.Lower.OpenFile(path)), cancellationToken).ConfigureAwait(false)
            : await ContainerUser.ResolveAsync(request.User, request.Tree ?? throw new ArgumentException("a container needs a Tree or an Overlay"), cancellationToken).ConfigureAwait(false);
        if (privileges.Rootless)
        {
            user = RootlessUser(user, request.User);
            CheckRootlessSandbox(request);
        }
        string id = "tabula-" + Guid.NewGuid().ToString("N")[..16];
        string bundle = Path.GetFullPath(request.BundleDirectory);
        string rootfs = Path.Combine(bundle, "rootfs");

        var etc = WriteEtcFiles(bundle, request.Hostname, request.Network, request.Sandbox.ExtraHosts);
        var spec = new BundleSpec
        {
            Args = request.Args,
            Env = CompleteEnv(request.Env, user),
            Cwd = string.IsNullOrEmpty(request.WorkingDir) ? "/" : "/" + LayerPath.Clean(request.WorkingDir),
            User = user,
            Hostname = request.Hostname,
            Network = request.Network,
            TmpfsTmp = request.TmpfsTmp,
            BindFiles = [.. etc.Select(e => (e.Destination, e.Source, request.ReadOnlyEtcFiles)), .. request.ExtraFiles],
            Mounts = request.Mounts,
            Privileges = privileges,
            Overlay = request.Overlay?.Root,
            Sandbox = request.Sandbox,
            CgroupsPath = request.Sandbox.CgroupParent is { } parent ? parent.TrimEnd('/') + "/" + id : null,
            CgroupNamespace = !privileges.Rootless && File.Exists("/sys/fs/cgroup/cgroup.subtree_control"),
            Privileged = request.Insecure ? PrivilegedContainer.ForThisHost() : null,
            Devices = request.Devices,
        };
        await File.WriteAllTextAsync(Path.Combine(bundle, "config.json"), BundleConfig.Generate(spec), cancellationToken).ConfigureAwait(false);

        Action removeStubs;
        if (request.Overlay is { } root)
        {
            Directory.CreateDirectory(rootfs);
            var upper = root.Root.UpperDirectory;
            removeStubs = Snapshots.UpperStubs.Create(upper, root.Lower, ResolvedMountPoints(spec, path =>
                Posix.Lstat(Path.Combine(upper, path)) is { } inUpper
                    ? inUpper.IsSymlink ? new FileInfo(Path.Combine(upper, path)).LinkTarget : null
                    : root.Lower.Find(path, followFinalSymlink: false) is { Status.IsSymlink: true } inLower ? new FileInfo(inLower.HostPath).LinkTarget : null)).Remove;
        }
        else
        {
            removeStubs = MountStubs.Create(rootfs, ResolvedMountPoints(spec, path =>
                Posix.Lstat(Path.Combine(rootfs, path)) is { IsSymlink: true } ? new FileInfo(Path.Combine(rootfs, path)).LinkTarget : null)).Remove;
        }
        try
        {
            // Rootless, the runtime's state goes beside the bundle: its default under /run belongs to root.
            var runtime = privileges.Rootless ? request.Runtime.WithStateRoot(Path.Combine(bundle, "runc")) : request.Runtime;
            request.Owner?.RecordContainer(runtime, id);
            int exitCode = await runtime.RunAsync(bundle, id, request.Stdout, request.Stderr, request.AttachStdin, cancellationToken).ConfigureAwait(false);
            request.Owner?.ForgetContainer();
            return exitCode;
        }
        finally
        {
            removeStubs();
        }
    }

    /// <summary>
    /// The mount points with their symlinks followed inside the root: a mount at <c>/link/x</c> with <c>/link</c> pointing
    /// to <c>/data</c> needs <c>/data/x</c>, which is then made and taken away like any other (BuildKit's stub cleaner
    /// resolves them the same way), rather than left to the runtime to make and to stay in the layer.
    /// </summary>
    private static IEnumerable<(string Path, bool IsDirectory)> ResolvedMountPoints(BundleSpec spec, Func<string, string?> linkTargetOf) =>
        BundleConfig.MountPoints(spec).Select(m => (RootPath.Resolve(m.Path, linkTargetOf), m.IsDirectory)).Where(m => m.Item1 != "/").ToList();

    /// <summary>
    /// Rootless, only root exists inside (the caller's one id is mapped to it): another user cannot be switched
    /// to, and supplementary groups are dropped since none of them is mapped.
    /// </summary>
    public static ContainerUser RootlessUser(ContainerUser user, string? spec)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Uid != 0 || user.Gid != 0)
            throw new ContainerPrivilegeException(
                $"user '{spec}' (uid {user.Uid}, gid {user.Gid}) cannot run rootless: a rootless container maps only root (to this user); run tabula as root, or run as root inside");
        return user.AdditionalGids.Count == 0 ? user : user with { AdditionalGids = [] };
    }

    /// <summary>
    /// A rootless container gets neither cgroups of its own (a normal user may not make them) nor privileges beyond its
    /// user namespace: settings that need them are refused rather than silently left out.
    /// </summary>
    private static void CheckRootlessSandbox(ContainerRequest request)
    {
        if (request.Insecure)
            throw new ContainerPrivilegeException("--security=insecure needs tabula run as root: a rootless container cannot be privileged");
        if (request.Devices.Count > 0)
            throw new ContainerPrivilegeException("device nodes of RUN --device need tabula run as root: a rootless container cannot make them");
        if (request.Sandbox.CgroupFlags() is { Count: > 0 } flags)
            throw new ContainerPrivilegeException($"{string.Join(" and ", flags)} need tabula run as root: a rootless container gets no cgroup of its own");
    }

    /// <summary>The environment as given, with PATH and HOME added when missing (as docker and BuildKit do).</summary>
    public static IReadOnlyList<string> CompleteEnv(IReadOnlyList<string> env, ContainerUser user)
    {
        var result = env.ToList();
        if (!result.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal))) result.Insert(0, DefaultPath);
        if (!result.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal))) result.Add("HOME=" + user.Home);
        return result;
    }

    private static List<(string Destination, string Source)> WriteEtcFiles(string bundle, string hostname, NetworkMode network, IReadOnlyList<HostEntry> extraHosts)
    {
        string hosts = Path.Combine(bundle, "hosts");
        // Extra hosts after the defaults, "IP<TAB>NAME" each, as BuildKit's hosts file has them.
        File.WriteAllText(hosts, $"127.0.0.1\tlocalhost {hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n"
            + string.Concat(extraHosts.Select(h => $"{h.Address}\t{h.Name}\n")));
        string resolv = Path.Combine(bundle, "resolv.conf");
        File.WriteAllText(resolv, network == NetworkMode.Host && File.Exists("/etc/resolv.conf") ? File.ReadAllText("/etc/resolv.conf") : "");
        string hostnameFile = Path.Combine(bundle, "hostname");
        File.WriteAllText(hostnameFile, hostname + "\n");
        return [("/etc/hosts", hosts), ("/etc/resolv.conf", resolv), ("/etc/hostname", hostnameFile)];
    }
}
