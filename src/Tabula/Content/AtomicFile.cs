namespace Tabula.Content;

/// <summary>Replaces a small file so that readers see the old or the new content, never a mix or nothing.</summary>
internal static class AtomicFile
{
    /// <param name="durable">
    /// Also survive a crash (fsync the file and its folder). Caches pass false: losing an entry costs a recomputation,
    /// and the rename alone already keeps a reader from a torn one.
    /// </param>
    public static void Write(string path, ReadOnlySpan<byte> content, bool durable = true)
    {
        var temp = $"{path}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                file.Write(content);
                file.Flush(flushToDisk: durable);
            }
            File.Move(temp, path, overwrite: true);
            if (durable) FileSync.Directory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
