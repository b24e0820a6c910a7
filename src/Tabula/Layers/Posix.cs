using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tabula.IO;

namespace Tabula.Layers;

/// <summary>
/// The few libc calls that on-disk extraction and the RUN diff need and .NET does not offer: owners, device nodes,
/// fifos, hard links, extended attributes and times on the link itself, and <c>statx</c> (whose layout is the same on
/// every architecture). Every call acts on the path itself, never on what a final symlink points to.
/// </summary>
internal static partial class Posix
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;

    public const int TypeMask = 0xF000;
    public const int TypeDirectory = 0x4000;
    public const int TypeRegular = 0x8000;
    public const int TypeSymlink = 0xA000;
    public const int TypeCharacter = 0x2000;
    public const int TypeBlock = 0x6000;
    public const int TypeFifo = 0x1000;
    public const int TypeSocket = 0xC000;

    [LibraryImport(LibC.Name, EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LchownNative(string path, int uid, int gid);

    [LibraryImport(LibC.Name, EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MknodNative(string path, uint mode, ulong device);

    [LibraryImport(LibC.Name, EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkNative(string existing, string created);

    [LibraryImport(LibC.Name, EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LsetxattrNative(string path, string name, byte[] value, nuint size, int flags);

    [LibraryImport(LibC.Name, EntryPoint = "lremovexattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LremovexattrNative(string path, string name);

    [LibraryImport(LibC.Name, EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LlistxattrNative(string path, byte[]? list, nuint size);

    [LibraryImport(LibC.Name, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LgetxattrNative(string path, string name, byte[]? value, nuint size);

    [LibraryImport(LibC.Name, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UtimensatNative(int directory, string path, long[] times, int flags);

    [LibraryImport(LibC.Name, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(int directory, string path, int flags, uint mask, Span<byte> buffer);

    [LibraryImport(LibC.Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial SafeFileHandle OpenNative(string path, int flags, uint mode);

    [LibraryImport(LibC.Name, EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteNative(SafeFileHandle file, ReadOnlySpan<byte> buffer, nuint count);

    [LibraryImport(LibC.Name, EntryPoint = "fchown", SetLastError = true)]
    private static partial int FchownNative(SafeFileHandle file, int uid, int gid);

    [LibraryImport(LibC.Name, EntryPoint = "fchmod", SetLastError = true)]
    private static partial int FchmodNative(SafeFileHandle file, uint mode);

    [LibraryImport(LibC.Name, EntryPoint = "fsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int FsetxattrNative(SafeFileHandle file, string name, byte[] value, nuint size, int flags);

    [LibraryImport(LibC.Name, EntryPoint = "futimens", SetLastError = true)]
    private static partial int FutimensNative(SafeFileHandle file, long[] times);

    [LibraryImport(LibC.Name, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MountNative(string source, string target, string type, nuint flags, string data);

    [LibraryImport(LibC.Name, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2Native(string target, int flags);

    [LibraryImport(LibC.Name, EntryPoint = "geteuid")]
    private static partial uint GeteuidNative();

    [LibraryImport(LibC.Name, EntryPoint = "getegid")]
    private static partial uint GetegidNative();

    public static int EffectiveUid() => (int)GeteuidNative();

    public static int EffectiveGid() => (int)GetegidNative();

    public static void Lchown(string path, int uid, int gid) => Check(LchownNative(path, uid, gid), "chown", path);

    public static void Mknod(string path, int typeBits, int permissions, int major, int minor)
        => Check(MknodNative(path, (uint)(typeBits | permissions), MakeDevice(major, minor)), "mknod", path);

    public static void Mount(string source, string target, string type, string data) => Check(MountNative(source, target, type, 0, data), "mount " + type, target);

    /// <summary>Detaches a mount (MNT_DETACH); false when nothing was mounted there.</summary>
    public static bool Unmount(string target) => Umount2Native(target, 2) == 0;

    public static void Link(string existing, string created) => Check(LinkNative(existing, created), "link", created);

    /// <summary>Sets the mtime and atime of the path itself (a symlink is not followed).</summary>
    public static void SetTimes(string path, DateTimeOffset time)
        => Check(UtimensatNative(AtFdCwd, path, Timespecs(time), AtSymlinkNoFollow), "utimensat", path);

    public static void SetXattr(string path, string name, byte[] value)
        => Check(LsetxattrNative(path, name, value, (nuint)value.Length, 0), "setxattr " + name, path);

    /// <summary>
    /// Creates a regular file that must not exist yet (<c>O_CREAT|O_EXCL</c>: never through a symlink, never over
    /// anything), open for writing, mode 0600 until its own is set. Unlike a <see cref="FileStream"/> it takes no
    /// advisory lock and asks nothing more of the file: a tree of many small files pays one call to create each.
    /// </summary>
    public static SafeFileHandle CreateNewFile(string path)
    {
        var file = OpenNative(path, WriteOnly | Create | Exclusive | CloseOnExec, 0x180);
        if (!file.IsInvalid) return file;
        int errno = Marshal.GetLastPInvokeError();
        file.Dispose();
        throw new IOException($"create {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    // The same values on every Linux architecture (asm-generic), unlike O_NOFOLLOW, which O_EXCL makes needless.
    private const int WriteOnly = 0x1, Create = 0x40, Exclusive = 0x80, CloseOnExec = 0x80000;

    /// <summary>
    /// Writes all of <paramref name="buffer"/> at the position of a file made by <see cref="CreateNewFile"/>: plain
    /// <c>write</c> calls (<see cref="RandomAccess"/> would first ask the kernel whether the file can seek).
    /// </summary>
    public static void Write(SafeFileHandle file, string path, ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            nint n = WriteNative(file, buffer, (nuint)buffer.Length);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == 4) continue; // EINTR
                throw new IOException($"write {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
            }
            buffer = buffer[(int)n..];
        }
    }

    /// <summary>The owner of an open file; <paramref name="path"/> only names it in an error.</summary>
    public static void Chown(SafeFileHandle file, string path, int uid, int gid) => Check(FchownNative(file, uid, gid), "chown", path);

    /// <summary>The permission bits (and setuid, setgid, sticky) of an open file.</summary>
    public static void Chmod(SafeFileHandle file, string path, int mode) => Check(FchmodNative(file, (uint)(mode & 0xFFF)), "chmod", path);

    public static void SetXattr(SafeFileHandle file, string path, string name, byte[] value)
        => Check(FsetxattrNative(file, name, value, (nuint)value.Length, 0), "setxattr " + name, path);

    /// <summary>Sets the mtime and atime of an open file.</summary>
    public static void SetTimes(SafeFileHandle file, string path, DateTimeOffset time) => Check(FutimensNative(file, Timespecs(time)), "utimensat", path);

    /// <summary>atime and mtime as the two timespecs utimensat takes.</summary>
    private static long[] Timespecs(DateTimeOffset time)
    {
        long seconds = time.ToUnixTimeSeconds();
        long nanoseconds = (time.UtcTicks - DateTimeOffset.FromUnixTimeSeconds(seconds).UtcTicks) * 100;
        return [seconds, nanoseconds, seconds, nanoseconds];
    }

    /// <summary>Removes an extended attribute of the path itself; false when it had none of that name.</summary>
    public static bool RemoveXattr(string path, string name) => LremovexattrNative(path, name) == 0;

    /// <summary>The extended attributes of the path itself; empty where the filesystem has none.</summary>
    public static List<KeyValuePair<string, byte[]>> GetXattrs(string path)
    {
        var result = new List<KeyValuePair<string, byte[]>>();
        nint size = LlistxattrNative(path, null, 0);
        if (size <= 0) return result;
        var list = new byte[size];
        size = LlistxattrNative(path, list, (nuint)list.Length);
        if (size <= 0) return result;
        foreach (var name in Encoding.UTF8.GetString(list, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            nint length = LgetxattrNative(path, name, null, 0);
            if (length < 0) continue;
            var value = new byte[length];
            if (length > 0 && LgetxattrNative(path, name, value, (nuint)value.Length) < 0) continue;
            result.Add(new(name, value));
        }
        return result;
    }

    /// <summary>lstat through statx: null when nothing is at the path.</summary>
    public static FileStatus? Lstat(string path)
    {
        Span<byte> buffer = stackalloc byte[256]; // called once or more per file of a tree: no garbage per call
        if (StatxNative(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is 2 or 20) return null; // ENOENT, ENOTDIR
            throw new IOException($"stat {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        var span = buffer;
        long seconds = BinaryPrimitives.ReadInt64LittleEndian(span[112..]);
        uint nanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(span[120..]);
        if (!LayerTimes.InRange(seconds)) throw new FileTimeOutOfRangeException(path, seconds);
        return new FileStatus(
            Mode: BinaryPrimitives.ReadUInt16LittleEndian(span[28..]),
            Uid: (int)BinaryPrimitives.ReadUInt32LittleEndian(span[20..]),
            Gid: (int)BinaryPrimitives.ReadUInt32LittleEndian(span[24..]),
            Links: BinaryPrimitives.ReadUInt32LittleEndian(span[16..]),
            Inode: BinaryPrimitives.ReadUInt64LittleEndian(span[32..]),
            Size: BinaryPrimitives.ReadInt64LittleEndian(span[40..]),
            MTimeSeconds: seconds,
            MTimeNanoseconds: nanoseconds,
            RdevMajor: (int)BinaryPrimitives.ReadUInt32LittleEndian(span[128..]),
            RdevMinor: (int)BinaryPrimitives.ReadUInt32LittleEndian(span[132..]),
            DeviceMajor: BinaryPrimitives.ReadUInt32LittleEndian(span[136..]),
            DeviceMinor: BinaryPrimitives.ReadUInt32LittleEndian(span[140..]),
            CTimeSeconds: BinaryPrimitives.ReadInt64LittleEndian(span[96..]),
            CTimeNanoseconds: BinaryPrimitives.ReadUInt32LittleEndian(span[104..]));
    }

    /// <summary>glibc's makedev.</summary>
    private static ulong MakeDevice(int major, int minor)
    {
        ulong ma = (uint)major, mi = (uint)minor;
        return ((ma & 0xfffff000UL) << 32) | ((ma & 0xfffUL) << 8) | ((mi & 0xffffff00UL) << 12) | (mi & 0xffUL);
    }

    private static void Check(int result, string operation, string path)
    {
        if (result == 0) return;
        int errno = Marshal.GetLastPInvokeError();
        throw new IOException($"{operation} {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }
}

/// <summary>What <c>lstat</c> says about a path.</summary>
internal sealed record FileStatus(int Mode, int Uid, int Gid, uint Links, ulong Inode, long Size, long MTimeSeconds, uint MTimeNanoseconds,
    int RdevMajor, int RdevMinor, uint DeviceMajor, uint DeviceMinor, long CTimeSeconds = 0, uint CTimeNanoseconds = 0)
{
    public int Type => Mode & Posix.TypeMask;
    public int Permissions => Mode & 0xFFF;
    public bool IsDirectory => Type == Posix.TypeDirectory;
    public bool IsSymlink => Type == Posix.TypeSymlink;

    public DateTimeOffset ModTime => DateTimeOffset.FromUnixTimeSeconds(MTimeSeconds).AddTicks(MTimeNanoseconds / 100);

    /// <summary>Identity of the inode, for hard links.</summary>
    public (uint, uint, ulong) InodeKey => (DeviceMajor, DeviceMinor, Inode);
}
