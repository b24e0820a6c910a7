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

    [LibraryImport(LibC.Name, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport(LibC.Name, EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport(LibC.Name, EntryPoint = "close")]
    private static partial int Close(int fd);
}
