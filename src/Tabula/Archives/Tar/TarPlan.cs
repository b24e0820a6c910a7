namespace Tabula.Archives.Tar;

/// <summary>
/// Entries to write, collected first and then written in the order Go's filepath.Walk visits a folder (names sorted
/// within each folder, a folder before its contents), as docker's archives are; the order never depends on input order.
/// </summary>
internal sealed class TarPlan
{
    private readonly Dictionary<string, Func<ArchiveTarWriter, CancellationToken, Task>> _entries = new(StringComparer.Ordinal);

    public bool Contains(string name) => _entries.ContainsKey(name);

    public void Directory(string name) => _entries.TryAdd(name, (w, ct) => w.WriteDirectoryAsync(name, ct));

    public void File(string name, ReadOnlyMemory<byte> content) => Add(name, (w, ct) => w.WriteFileAsync(name, content, ct));

    public void File(string name, Func<ArchiveTarWriter, CancellationToken, Task> write) => Add(name, write);

    public void Symlink(string name, string target) => Add(name, (w, ct) => w.WriteSymlinkAsync(name, target, ct));

    public async Task WriteAsync(ArchiveTarWriter writer, CancellationToken cancellationToken)
    {
        foreach (var name in _entries.Keys.OrderBy(n => n.Split('/'), PathComparer.Instance))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await _entries[name](writer, cancellationToken).ConfigureAwait(false);
        }
        await writer.FinishAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Add(string name, Func<ArchiveTarWriter, CancellationToken, Task> write)
    {
        // Every parent folder gets its own entry, as a walk of a real folder would give.
        for (int slash = name.IndexOf('/'); slash > 0; slash = name.IndexOf('/', slash + 1)) Directory(name[..slash]);
        _entries[name] = write;
    }

    private sealed class PathComparer : IComparer<string[]>
    {
        public static readonly PathComparer Instance = new();

        public int Compare(string[]? x, string[]? y)
        {
            for (int i = 0; i < Math.Min(x!.Length, y!.Length); i++)
            {
                int c = string.CompareOrdinal(x[i], y[i]);
                if (c != 0) return c;
            }
            return x.Length.CompareTo(y.Length);
        }
    }
}
