namespace Tabula.Tests.Integration.Support;

/// <summary>Finds executables on PATH the way a shell would.</summary>
public static class ExecutableSearch
{
    public static string? Find(string name)
    {
        if (name.Contains('/'))
            return IsExecutable(name) ? Path.GetFullPath(name) : null;
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return directories.Select(directory => Path.Combine(directory, name)).FirstOrDefault(IsExecutable);
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path)
        && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
