using Tabula.Runtime.Snapshots;

namespace Tabula.Runtime;

/// <summary>
/// Where a RUN's secrets are copied for the runtime to mount: a folder only its owner may enter, on a tmpfs
/// (<c>/dev/shm</c>) where there is one, so that a secret never reaches a disk and a reboot clears what a kill -9
/// left; the folder is recorded in the step's active folder, so the next command removes it after such a kill.
/// </summary>
internal static class SecretsDirectory
{
    private const string Tmpfs = "/dev/shm";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static string Create(ActiveDirectory owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        string name = "tabula-secrets-" + Guid.NewGuid().ToString("N")[..16];
        try
        {
            if (Directory.Exists(Tmpfs))
            {
                string onTmpfs = Path.Combine(Tmpfs, name);
                Directory.CreateDirectory(onTmpfs, OwnerOnly);
                return onTmpfs;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No usable tmpfs: the owner's own folder (0700, on the store's disk) is the next best place.
        }
        string inside = Path.Combine(owner.Path, "secrets");
        Directory.CreateDirectory(inside, OwnerOnly);
        return inside;
    }
}
