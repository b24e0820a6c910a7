namespace Tabula.Tests.Integration.Support;

/// <summary>A fresh directory under the system temp folder, deleted with everything in it on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string purpose = "test")
    {
        Path = Directory.CreateTempSubdirectory($"tabula-{purpose}-").FullName;
    }

    public string Path { get; }

    /// <summary>A path inside this directory (nothing is created).</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Creates (if needed) and returns a subdirectory.</summary>
    public string CreateDirectory(params string[] parts) => Directory.CreateDirectory(Combine(parts)).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (UnauthorizedAccessException)
        {
            // Fixtures hold directories without write permission (as images do); a
            // non-root user cannot delete inside them until they are writable again.
            foreach (var directory in Directory.EnumerateDirectories(Path, "*", SearchOption.AllDirectories))
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.Delete(Path, recursive: true);
        }
    }
}
