using Tabula.Layers;

namespace Tabula.Runtime.Snapshots;

/// <summary>
/// Permission bits a normal user lends itself on a path it owns for a moment and takes back (reading a file made
/// 0000 by a command, listing a 0311 directory, setting a user xattr on a read-only file): the mode a layer records
/// is the one the command left, and a snapshot keeps it.
/// </summary>
internal readonly struct OwnerAccess : IDisposable
{
    public const int Read = 0x100, Write = 0x80, Search = 0x40;

    private readonly string? _path;
    private readonly int _permissions;

    private OwnerAccess(string path, int permissions)
    {
        _path = path;
        _permissions = permissions;
    }

    /// <summary>Adds <paramref name="bits"/> to <paramref name="path"/> (whose status is <paramref name="status"/>) until disposed; nothing when it has them or is a symlink.</summary>
    public static OwnerAccess Lend(string path, FileStatus status, int bits)
    {
        ArgumentNullException.ThrowIfNull(status);
        if ((status.Permissions & bits) == bits || status.IsSymlink) return default;
        File.SetUnixFileMode(path, (UnixFileMode)(status.Permissions | bits));
        return new OwnerAccess(path, status.Permissions);
    }

    public void Dispose()
    {
        if (_path is not null) File.SetUnixFileMode(_path, (UnixFileMode)_permissions);
    }
}
