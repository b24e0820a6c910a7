namespace Tabula.Cli.Build;

/// <summary>Secrets given through the environment, in files only this user can read, removed after the build.</summary>
internal sealed class TemporarySecretFiles : IDisposable
{
    private readonly List<string> _paths = [];

    public string Write(string value)
    {
        var path = Path.Combine(Path.GetTempPath(), "tabula-secret-" + Guid.NewGuid().ToString("N"));
        using (var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            file.Write(System.Text.Encoding.UTF8.GetBytes(value));
        _paths.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var path in _paths) File.Delete(path);
    }
}
