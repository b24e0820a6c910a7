using System.Runtime.InteropServices;
using Tabula.IO;

namespace Tabula.Content;

/// <summary>Durability helpers: a rename is only crash-safe once the directory entry itself is on disk.</summary>
internal static partial class FileSync
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux

    public static void Directory(string path)
    {
        if (!OperatingSystem.IsLinux()) return;
        int fd = Open(path, ReadOnlyDirectory);
        if (fd < 0) return; // best effort: some filesystems refuse to open directories
        try { _ = Fsync(fd); }
        finally { _ = Close(fd); }
    }

    /// <summary>
    /// Flushes everything written to the filesystem that holds <paramref name="path"/>: one call for a tree of
    /// thousands of files (an unpacked snapshot) instead of an fsync for each. Best effort, as <see cref="Directory"/>.
    /// </summary>
    public static void FileSystemOf(string path)
    {
        if (!OperatingSystem.IsLinux()) return;
        int fd = Open(path, ReadOnlyDirectory);
        if (fd < 0) return;
        try { _ = SyncFs(fd); }
        finally { _ = Close(fd); }
    }

    [LibraryImport(LibC.Name, EntryPoint = "syncfs")]
    private static partial int SyncFs(int fd);

    [LibraryImport(LibC.Name, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport(LibC.Name, EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport(LibC.Name, EntryPoint = "close")]
    private static partial int Close(int fd);
}
