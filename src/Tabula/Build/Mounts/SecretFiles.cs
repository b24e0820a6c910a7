using System.Globalization;
using System.Text;
using Tabula.Dockerfile;
using Tabula.Dockerfile.Instructions;
using Tabula.Layers;

namespace Tabula.Build.Mounts;

/// <summary>
/// A secret one RUN mounts, found among the given ones (<paramref name="Source"/>), or a missing optional one asked for
/// as a variable (null source: the variable is set empty, as BuildKit sets it, and no file is mounted).
/// </summary>
internal sealed record SecretFile(SecretMount Mount, string? Source)
{
    public string? Target => Source is null ? null : Mount.Target is { } t ? t.StartsWith('/') ? t : "/" + t : null;
}

/// <summary>Secret mounts: which given secrets a RUN gets, and the copies the runtime mounts.</summary>
internal static class SecretFiles
{
    /// <summary>The secrets one RUN asks for that were given (a missing one is an error only with <c>required</c>), checked before anything runs.</summary>
    public static List<SecretFile> Find(IEnumerable<RunMount> mounts, RunInstruction run, IReadOnlyDictionary<string, string> secrets)
    {
        var found = new List<SecretFile>();
        foreach (var mount in mounts.OfType<SecretMount>())
        {
            if (!secrets.TryGetValue(mount.Id, out var source) || !File.Exists(source))
            {
                if (mount.Required)
                    throw new DockerfileException(run.Location, $"secret {mount.Id}: not found (give it with --secret id={mount.Id},src=FILE)");
                if (mount.Env is not null) found.Add(new SecretFile(mount, null));
                continue;
            }
            found.Add(new SecretFile(mount, Path.GetFullPath(source)));
        }
        return found;
    }

    /// <summary>
    /// Puts each secret where the command finds it: a copy with the asked mode and owner in <paramref name="directory"/>
    /// (only its owner may enter it; the caller deletes it) mounted read-only, and/or a variable added to <paramref name="env"/>.
    /// Without root (<paramref name="canChown"/> false) the file stays the caller's, which the container sees as root.
    /// </summary>
    public static async Task<List<(string Destination, string Source, bool ReadOnly)>> PrepareAsync(IReadOnlyList<SecretFile> secrets, string directory, List<string> env, bool canChown, CancellationToken cancellationToken)
    {
        var files = new List<(string, string, bool)>();
        if (secrets.Count == 0) return files;
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        int n = 0;
        foreach (var secret in secrets)
        {
            var bytes = secret.Source is null ? [] : await File.ReadAllBytesAsync(secret.Source, cancellationToken).ConfigureAwait(false);
            if (secret.Mount.Env is { } name)
            {
                env.RemoveAll(e => e.StartsWith(name + "=", StringComparison.Ordinal));
                env.Add(name + "=" + Encoding.UTF8.GetString(bytes));
            }
            if (secret.Target is not { } target) continue;
            var copy = Path.Combine(directory, (++n).ToString(CultureInfo.InvariantCulture));
            await using (var file = new FileStream(copy, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
                await file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            if (canChown && (secret.Mount.Uid != 0 || secret.Mount.Gid != 0)) Posix.Lchown(copy, secret.Mount.Uid, secret.Mount.Gid);
            File.SetUnixFileMode(copy, (UnixFileMode)secret.Mount.Mode);
            files.Add((target, copy, true));
        }
        return files;
    }
}
