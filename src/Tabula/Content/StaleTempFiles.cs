namespace Tabula.Content;

/// <summary>
/// Temp files a killed command left in the store: ingest files (<c>ingest/PID-GUID</c>) and the temps of atomic
/// writes (<c>NAME.PID-GUID.tmp</c>). Both names start with the writer's process id, so a file whose process is gone
/// is nobody's; one of a live process (or of a reused pid) is left alone.
/// </summary>
internal static class StaleTempFiles
{
    /// <summary>Removes the stale ones and returns the bytes freed.</summary>
    public static long Sweep(ContentStore store)
    {
        long freed = 0;
        if (Directory.Exists(store.IngestPath))
            foreach (var file in Directory.EnumerateFiles(store.IngestPath))
                if (!IsOwnedByLiveProcess(Path.GetFileName(file))) freed += Delete(file);
        foreach (var temp in Directory.EnumerateFiles(store.Root, "*.tmp"))
            if (!IsOwnedByLiveProcess(Path.GetFileName(temp).Split('.').Reverse().Skip(1).FirstOrDefault() ?? "")) freed += Delete(temp);
        return freed;
    }

    private static long Delete(string path)
    {
        try
        {
            var length = new FileInfo(path).Length;
            File.Delete(path);
            return length;
        }
        catch (FileNotFoundException)
        {
            return 0; // another command swept it first
        }
    }

    private static bool IsOwnedByLiveProcess(string fileName)
    {
        var dash = fileName.IndexOf('-');
        if (dash <= 0 || !int.TryParse(fileName.AsSpan(0, dash), out var pid)) return false;
        if (pid == Environment.ProcessId) return true;
        return Directory.Exists($"/proc/{pid}");
    }
}
