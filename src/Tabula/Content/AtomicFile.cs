namespace Tabula.Content;

/// <summary>Replaces a small file so that readers see the old or the new content, never a mix or nothing.</summary>
internal static class AtomicFile
{
    /// <param name="durable">
    /// Also survive a crash (fsync the file and its folder). Caches pass false: losing an entry costs a recomputation,
    /// and the rename alone already keeps a reader from a torn one.
    /// </param>
    /// <param name="syncFolder">
    /// With <paramref name="durable"/>, also fsync the folder. A caller that writes several files of one folder passes
    /// false and syncs the folder once itself (<see cref="FileSync.Directory"/>) before anything depends on them.
    /// </param>
    /// <param name="beforeRename">
    /// Run once the new content is on disk and before it takes the name: what the file will refer to can be made durable
    /// there, while this file was being written and synced, rather than before.
    /// </param>
    public static void Write(string path, ReadOnlySpan<byte> content, bool durable = true, bool syncFolder = true, Action? beforeRename = null)
        => Put(path, content, durable, syncFolder, replace: true, beforeRename);

    /// <summary>
    /// Writes the file only when there is none, durably: a file another process put there first (with content of its
    /// own, say an index that already names images) is left as it is. Returns whether this call created it.
    /// <paramref name="syncFolder"/> as for <see cref="Write"/>.
    /// </summary>
    public static bool CreateIfAbsent(string path, ReadOnlySpan<byte> content, bool syncFolder = true)
    {
        if (File.Exists(path)) return false;
        return Put(path, content, durable: true, syncFolder, replace: false, beforeRename: null);
    }

    private static bool Put(string path, ReadOnlySpan<byte> content, bool durable, bool syncFolder, bool replace, Action? beforeRename)
    {
        var temp = $"{path}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                file.Write(content);
                file.Flush(flushToDisk: durable);
            }
            beforeRename?.Invoke();
            try
            {
                // Without replacing, the move is link-then-unlink on Unix: it fails, never clobbers, when the file exists.
                File.Move(temp, path, overwrite: replace);
            }
            catch (IOException) when (!replace && File.Exists(path))
            {
                return false;
            }
            if (durable && syncFolder) FileSync.Directory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            return true;
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
