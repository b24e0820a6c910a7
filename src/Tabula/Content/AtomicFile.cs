namespace Tabula.Content;

/// <summary>Replaces a small file so that readers see the old or the new content, never a mix or nothing.</summary>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        var temp = $"{path}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                file.Write(content);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            FileSync.Directory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
