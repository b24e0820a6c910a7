using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tabula.Content;
using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;
using Tabula.Layers;
using Tabula.Runtime;
using Tabula.Transports;

namespace Tabula.Build;

/// <summary>One <c>RUN --mount=</c> spec: its type and its fields, as written.</summary>
internal sealed record MountSpec(string Type, IReadOnlyDictionary<string, string> Fields, string Text)
{
    public string? Get(string name) => Fields.GetValueOrDefault(name);

    public bool Flag(string name) => Fields.TryGetValue(name, out var v) && v is "true" or "1" or "";

    public string? Target => Get("target") ?? Get("dst") ?? Get("destination");

    public bool ReadOnly => Flag("readonly") || Flag("ro");
}

/// <summary>
/// <c>RUN --mount</c>, as BuildKit documents it, for that one command and in no layer:
/// <c>type=secret</c> (a <c>--secret</c> file, read-only at <c>/run/secrets/ID</c> or <c>target=</c>; skipped when
/// missing unless <c>required</c>); <c>type=tmpfs</c> (an empty tmpfs, <c>size=</c> bytes); <c>type=bind</c> (the
/// build context's <c>source=</c> path, or a stage's or a stored image's with <c>from=</c>; read-only, or with
/// <c>rw</c> writable with the writes thrown away); <c>type=cache</c> (a directory under the store's
/// <c>cache/mounts/</c>, by <c>id=</c> or the target, kept between builds). A relative target is under the working
/// directory. The cache key holds each spec as written (secrets not at all), never the mounted content.
/// </summary>
internal static class RunMounts
{
    public static IReadOnlyList<MountSpec> Parse(RunInstruction run)
    {
        var specs = new List<MountSpec>();
        foreach (var mount in run.Mounts)
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var field in mount.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = field.IndexOf('=');
                fields[(eq < 0 ? field : field[..eq]).Trim().ToLowerInvariant()] = eq < 0 ? "" : field[(eq + 1)..];
            }
            var type = fields.GetValueOrDefault("type", "bind");
            if (type is not ("secret" or "tmpfs" or "bind" or "cache"))
                throw new DockerfileException(run.Location, $"RUN --mount=type={type} is not supported yet (secret, tmpfs, bind and cache are)");
            var spec = new MountSpec(type, fields, mount);
            if (type != "secret" && string.IsNullOrEmpty(spec.Target))
                throw new DockerfileException(run.Location, $"RUN --mount={mount}: a target= is required");
            if (type == "tmpfs" && spec.Get("size") is { } size && !long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                throw new DockerfileException(run.Location, $"RUN --mount={mount}: size= must be a number of bytes");
            specs.Add(spec);
        }
        return specs;
    }

    /// <summary>The stages or images RUN mounts from (<c>from=</c> of bind and cache mounts), for choosing what to build.</summary>
    public static IEnumerable<string> Sources(RunInstruction run)
    {
        foreach (var mount in run.Mounts)
        {
            var fields = mount.Split(',').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0].Trim().ToLowerInvariant(), f => f[1]);
            if (fields.GetValueOrDefault("type", "bind") == "bind" && fields.TryGetValue("from", out var from) && from.Length > 0) yield return from;
        }
    }

    /// <summary>
    /// What of the mounts goes into the RUN cache key: each non-secret spec as written, and what a bind mount shows —
    /// the context files under its source, or the layers of the stage or image it is taken from (a bind of the
    /// context is keyed on the path of the source whether or not it exists; the step then fails on its own).
    /// </summary>
    public static async Task AddToKeyAsync(StepKey key, IReadOnlyList<MountSpec> specs, RunInstruction run, MountSources sources, ContextChecksum context, CancellationToken cancellationToken)
    {
        foreach (var spec in specs.Where(s => s.Type != "secret"))
        {
            key.Add("mount=" + spec.Text);
            if (spec.Type != "bind") continue;
            if (spec.Get("from") is { Length: > 0 } from)
            {
                var layers = await sources.LayersAsync(from, run, cancellationToken).ConfigureAwait(false);
                key.AddList("mount-layers", layers.Select(l => l.DiffId.ToString()));
            }
            else
            {
                await context.AddMountAsync(key, spec.Get("source") ?? spec.Get("src") ?? "", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The secrets one RUN asks for that were given (a missing one is an error only with <c>required</c>), checked
    /// before anything runs. BuildKit's defaults: a file at <c>/run/secrets/ID</c>, mode 0400, owned by root; with
    /// <c>env=</c> and no <c>target=</c>, only the environment variable.
    /// </summary>
    public static List<SecretMount> Secrets(IReadOnlyList<MountSpec> specs, RunInstruction run, IReadOnlyDictionary<string, string> secrets)
    {
        var mounts = new List<SecretMount>();
        foreach (var spec in specs.Where(s => s.Type == "secret"))
        {
            var target = spec.Target;
            var env = spec.Get("env") is { Length: > 0 } e ? e : null;
            var id = spec.Get("id") ?? (target is null ? env : Path.GetFileName(target.TrimEnd('/')));
            if (string.IsNullOrEmpty(id))
                throw new DockerfileException(run.Location, "RUN --mount=type=secret needs an id= (or a target= or env= to take it from)");
            if (env is null) target ??= "/run/secrets/" + id;
            int mode = 0b100_000_000, uid = 0, gid = 0;
            if (!TryModeAndOwner(spec, ref mode, ref uid, ref gid))
                throw new DockerfileException(run.Location, $"RUN --mount=type=secret,id={id}: mode= is octal, uid= and gid= are numbers");
            if (!secrets.TryGetValue(id, out var source) || !File.Exists(source))
            {
                if (spec.Flag("required"))
                    throw new DockerfileException(run.Location, $"secret {id} not found: give it with --secret id={id},src=FILE");
                continue;
            }
            mounts.Add(new SecretMount(id, target is null ? null : target.StartsWith('/') ? target : "/" + target, env, Path.GetFullPath(source), mode, uid, gid));
        }
        return mounts;
    }

    /// <summary>
    /// Puts each secret where the command finds it: a copy with the asked mode and owner in <paramref name="directory"/>
    /// (only its owner may enter it; the caller deletes it) mounted read-only, and/or a variable added to <paramref name="env"/>.
    /// Without root (<paramref name="canChown"/> false) the file stays the caller's, which the container sees as root.
    /// </summary>
    public static async Task<List<(string Destination, string Source, bool ReadOnly)>> PrepareSecretsAsync(IReadOnlyList<SecretMount> secrets, string directory, List<string> env, bool canChown, CancellationToken cancellationToken)
    {
        var files = new List<(string, string, bool)>();
        if (secrets.Count == 0) return files;
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        int n = 0;
        foreach (var secret in secrets)
        {
            var bytes = await File.ReadAllBytesAsync(secret.Source, cancellationToken).ConfigureAwait(false);
            if (secret.Env is { } name)
            {
                env.RemoveAll(e => e.StartsWith(name + "=", StringComparison.Ordinal));
                env.Add(name + "=" + Encoding.UTF8.GetString(bytes));
            }
            if (secret.Target is not { } target) continue;
            var copy = Path.Combine(directory, (++n).ToString(CultureInfo.InvariantCulture));
            await using (var file = new FileStream(copy, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
                await file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            if (canChown && (secret.Uid != 0 || secret.Gid != 0)) Posix.Lchown(copy, secret.Uid, secret.Gid);
            File.SetUnixFileMode(copy, (UnixFileMode)secret.Mode);
            files.Add((target, copy, true));
        }
        return files;
    }

    /// <summary>Where the store keeps a cache mount's directory: <c>cache/mounts/ID</c>, the id hashed when it is not a plain name.</summary>
    public static string CacheDirectory(string storeRoot, string id)
    {
        bool plain = id.Length is > 0 and <= 100 && id is not ("." or "..") && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
        var name = plain ? id : "sha256-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
        return Path.Combine(storeRoot, "cache", "mounts", name);
    }

    /// <summary>
    /// Makes the tmpfs, bind and cache mounts of one RUN; what it unpacks or copies goes under <paramref name="scratch"/>.
    /// The cache mounts' locks are added to <paramref name="locks"/>, for the caller to hold until the command ends.
    /// </summary>
    public static async Task<List<ContainerMount>> PrepareAsync(IReadOnlyList<MountSpec> specs, RunInstruction run, StageState state, MountSources sources, string scratch, List<IDisposable> locks, CancellationToken cancellationToken)
    {
        var mounts = new List<ContainerMount>();
        int n = 0;
        foreach (var spec in specs)
        {
            if (spec.Type == "secret") continue;
            var target = Target(spec.Target!, state.Container.WorkingDir);
            switch (spec.Type)
            {
                case "tmpfs":
                    mounts.Add(ContainerMount.Tmpfs(target, spec.Get("size") is { } size ? long.Parse(size, CultureInfo.InvariantCulture) : null));
                    break;
                case "cache":
                {
                    n++;
                    var directory = CacheDirectory(sources.StoreRoot, spec.Get("id") is { Length: > 0 } id ? id : target);
                    directory = await LockCacheAsync(directory, spec, run, Path.Combine(scratch, "cache-" + n), locks, cancellationToken).ConfigureAwait(false);
                    if (!Directory.Exists(directory)) CreateCacheDirectory(directory, spec, run);
                    mounts.Add(ContainerMount.Bind(target, directory, spec.ReadOnly));
                    break;
                }
                case "bind":
                {
                    n++;
                    bool readWrite = spec.Flag("rw") || spec.Flag("readwrite");
                    string root;
                    bool copied;
                    if (spec.Get("from") is { Length: > 0 } from)
                    {
                        root = Path.Combine(scratch, "from-" + n);
                        var layers = await sources.LayersAsync(from, run, cancellationToken).ConfigureAwait(false);
                        await RootfsUnpacker.UnpackAsync(layers, root, cancellationToken).ConfigureAwait(false);
                        copied = true;
                    }
                    else
                    {
                        root = Path.GetFullPath(sources.ContextDirectory);
                        copied = false;
                    }
                    var source = Resolve(root, spec.Get("source") ?? spec.Get("src") ?? "", spec, run);
                    bool isFile = !Directory.Exists(source);
                    if (readWrite && !copied)
                    {
                        // Writes to a rw bind are thrown away: never into the build context itself.
                        var copy = Path.Combine(scratch, "rw-" + n);
                        if (isFile) File.Copy(source, copy);
                        else CopyDirectory(source, copy);
                        source = copy;
                    }
                    mounts.Add(ContainerMount.Bind(target, source, readOnly: !readWrite, isFile));
                    break;
                }
            }
        }
        return mounts;
    }

    /// <summary>
    /// BuildKit's <c>sharing=</c>, across every <c>tabula build</c> using the store (a lock file in <c>cache/mount-locks/</c>):
    /// <c>shared</c> (default) is used by any number at once; <c>locked</c> waits until no one else uses it;
    /// <c>private</c> takes it when no one else uses it, and otherwise gets a fresh empty directory for this command only.
    /// </summary>
    private static async Task<string> LockCacheAsync(string directory, MountSpec spec, RunInstruction run, string fresh, List<IDisposable> locks, CancellationToken cancellationToken)
    {
        var sharing = spec.Get("sharing") ?? "shared";
        var locksFolder = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(directory))!, "mount-locks");
        Directory.CreateDirectory(locksFolder);
        var lockPath = Path.Combine(locksFolder, Path.GetFileName(directory));
        switch (sharing)
        {
            case "shared":
                locks.Add(await StoreLock.AcquireAsync(lockPath, exclusive: false, cancellationToken).ConfigureAwait(false));
                return directory;
            case "locked":
                locks.Add(await StoreLock.AcquireAsync(lockPath, exclusive: true, cancellationToken).ConfigureAwait(false));
                return directory;
            case "private":
                if (StoreLock.TryAcquireExclusive(lockPath) is { } held)
                {
                    locks.Add(held);
                    return directory;
                }
                return fresh;
            default:
                throw new DockerfileException(run.Location, $"RUN --mount={spec.Text}: sharing= is shared, private or locked");
        }
    }

    private static string Target(string target, string? workingDir) =>
        "/" + LayerPath.Clean(target.StartsWith('/') ? target : (workingDir ?? "/") + "/" + target);

    /// <summary>The source inside its root, refusing a path that leaves it or passes a symlink (a bind would follow it on this machine).</summary>
    private static string Resolve(string root, string source, MountSpec spec, RunInstruction run)
    {
        var current = root;
        foreach (var component in LayerPath.Components(LayerPath.Clean(source)))
        {
            current = Path.Combine(current, component);
            var status = Posix.Lstat(current)
                ?? throw new DockerfileException(run.Location, $"RUN --mount={spec.Text}: {source} not found");
            if (status.IsSymlink)
                throw new DockerfileException(run.Location, $"RUN --mount={spec.Text}: {source} goes through a symlink, which is not supported yet");
        }
        return current;
    }

    private static void CreateCacheDirectory(string directory, MountSpec spec, RunInstruction run)
    {
        int mode = 0b111_101_101, uid = 0, gid = 0;
        if (!TryModeAndOwner(spec, ref mode, ref uid, ref gid))
            throw new DockerfileException(run.Location, $"RUN --mount={spec.Text}: mode= is octal, uid= and gid= are numbers");
        var temporary = directory + ".new-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(temporary);
        File.SetUnixFileMode(temporary, (UnixFileMode)mode);
        if ((uid != 0 || gid != 0) && !Environment.IsPrivilegedProcess)
        {
            Directory.Delete(temporary);
            throw new DockerfileException(run.Location, $"RUN --mount={spec.Text}: uid= and gid= other than 0 need root: a rootless build maps only root into the container");
        }
        if (uid != 0 || gid != 0) Posix.Lchown(temporary, uid, gid);
        try { Directory.Move(temporary, directory); }
        catch (IOException) when (Directory.Exists(directory)) { Directory.Delete(temporary); }
    }

    /// <summary>The <c>mode=</c> (octal), <c>uid=</c> and <c>gid=</c> of a spec over the defaults given; false when one is not a number.</summary>
    private static bool TryModeAndOwner(MountSpec spec, ref int mode, ref int uid, ref int gid)
    {
        if (spec.Get("mode") is { } m && !TryOctal(m, out mode)) return false;
        if (spec.Get("uid") is { } u && !int.TryParse(u, NumberStyles.None, CultureInfo.InvariantCulture, out uid)) return false;
        return spec.Get("gid") is not { } g || int.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out gid);
    }

    private static bool TryOctal(string text, out int value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 4) return false;
        foreach (var c in text)
        {
            if (c is < '0' or > '7') return false;
            value = value * 8 + (c - '0');
        }
        return true;
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(destination, entry.Name);
            if (entry.LinkTarget is { } link) File.CreateSymbolicLink(target, link);
            else if (entry is DirectoryInfo) CopyDirectory(entry.FullName, target);
            else File.Copy(entry.FullName, target);
        }
    }
}

/// <summary>A secret one RUN mounts: at <paramref name="Target"/> (a file), in <paramref name="Env"/> (a variable), or both.</summary>
internal sealed record SecretMount(string Id, string? Target, string? Env, string Source, int Mode, int Uid, int Gid);

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
                throw new DockerfileException(run.Location, $"RUN --mount from={from}: the stage must come before this one");
            return state.Layers;
        }
        var stored = await store.Resolver.TryResolveAsync(from, cancellationToken).ConfigureAwait(false)
            ?? throw new DockerfileException(run.Location, $"RUN --mount from={from}: no stage of that name, and no such image in the local store");
        var image = await store.LoadAsync(stored, platform, cancellationToken).ConfigureAwait(false);
        return image.Layers;
    }
}
