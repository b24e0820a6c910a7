using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Tabula.Layers;

/// <summary>What writing a tree to disk left out.</summary>
internal sealed record RootfsWriteResult(int Entries, int SkippedDevices);

/// <summary>
/// Writes entries of a tree to disk: files with their content, symlinks (created, never followed), fifos and device
/// nodes, and their owners (as root), extended attributes, modes and times. Callers give paths whose parents they
/// have checked to be real directories (<see cref="TargetDirectory"/>); files are created with O_EXCL and nothing
/// else is made through an existing path, so nothing is ever written through a symlink or outside the root. A
/// regular file costs what GNU tar pays for it: it is created, written and given its owner, xattrs, mode and times
/// through the one descriptor, then closed — no lock, no lookups of its path again.
/// </summary>
internal static class RootfsWriter
{
    /// <summary>Makes a symlink, fifo or device node at <paramref name="full"/> (nothing may be there), leaving its metadata to the caller.</summary>
    internal static void CreateSpecial(string full, LayerEntry entry)
    {
        switch (entry.Type)
        {
            case LayerEntryType.Symlink:
                File.CreateSymbolicLink(full, entry.LinkTarget);
                break;
            case LayerEntryType.CharacterDevice or LayerEntryType.BlockDevice:
                Posix.Mknod(full, entry.Type == LayerEntryType.CharacterDevice ? Posix.TypeCharacter : Posix.TypeBlock, entry.Mode & 0x1FF, entry.DevMajor, entry.DevMinor);
                break;
            case LayerEntryType.Fifo:
                Posix.Mknod(full, Posix.TypeFifo, entry.Mode & 0x1FF, 0, 0);
                break;
            default:
                throw new LayerFormatException($"'/{entry.Path}' is a {entry.Type}, which is no symlink, fifo or device") { EntryPath = entry.Path };
        }
    }

    /// <summary>
    /// Creates a regular file (O_EXCL: never through a symlink, never over something) and writes its content; with
    /// <paramref name="privileged"/> also sets its metadata as <see cref="ApplyMetadata(string, LayerEntry, bool)"/>
    /// does, on the open file. The content is written synchronously: a small file is one write, which a hop to the
    /// thread pool would cost more than.
    /// </summary>
    internal static async Task WriteFileAsync(string full, LayerEntry entry, IContentSource? content, bool? privileged, CancellationToken cancellationToken)
    {
        using var file = Posix.CreateNewFile(full);
        if (entry.Size > 0 && content is not null)
        {
            var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(entry.Size, 128 * 1024));
            try
            {
                long written = 0;
                await using var source = await content.OpenAsync(cancellationToken).ConfigureAwait(false);
                int n;
                while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    Posix.Write(file, full, buffer.AsSpan(0, n));
                    written += n;
                }
                if (written != entry.Size)
                    throw new LayerFormatException($"'/{entry.Path}' should hold {entry.Size} bytes but its content gave {written}") { EntryPath = entry.Path };
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        if (privileged is { } root) ApplyMetadata(file, full, entry, root);
    }

    /// <summary>The metadata of a regular file written through <paramref name="file"/>, in the order of the path form.</summary>
    private static void ApplyMetadata(SafeFileHandle file, string full, LayerEntry entry, bool privileged)
    {
        if (privileged) Posix.Chown(file, full, entry.Uid, entry.Gid);
        foreach (var (name, value) in entry.Xattrs)
        {
            try { Posix.SetXattr(file, full, name, value); }
            catch (IOException) when (!privileged) { } // trusted.* needs root
        }
        Posix.Chmod(file, full, entry.Mode); // after chown, which clears setuid bits
        Posix.SetTimes(file, full, entry.ModTime);
    }

    internal static void ApplyMetadata(string full, LayerEntry entry, bool privileged)
    {
        bool symlink = entry.Type == LayerEntryType.Symlink;
        if (privileged) Posix.Lchown(full, entry.Uid, entry.Gid);
        foreach (var (name, value) in entry.Xattrs)
        {
            try { Posix.SetXattr(full, name, value); }
            catch (IOException) when (!privileged || symlink) { } // user.* cannot go on symlinks; trusted.* needs root
        }
        if (!symlink) File.SetUnixFileMode(full, (UnixFileMode)entry.Mode); // after chown, which clears setuid bits
        Posix.SetTimes(full, entry.ModTime);
    }
}
