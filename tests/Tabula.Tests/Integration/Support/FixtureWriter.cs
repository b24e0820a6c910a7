namespace Tabula.Tests.Integration.Support;

/// <summary>
/// Writes files and directories below a root with exact permission bits, given in octal as
/// <c>chmod</c> takes them ("4755"); the umask would otherwise decide them, and tests compare modes.
/// </summary>
public sealed class FixtureWriter(string root)
{
    public string Root { get; } = root;

    public string Combine(params string[] relativeParts) => Path.Combine([Root, .. relativeParts]);

    public void Directory(string relativePath, string octalMode)
    {
        var path = Combine(relativePath);
        System.IO.Directory.CreateDirectory(path);
        System.IO.File.SetUnixFileMode(path, Mode(octalMode));
    }

    /// <summary>Writes <paramref name="content"/> as UTF-8.</summary>
    public void File(string relativePath, string content, string octalMode)
    {
        var path = Combine(relativePath);
        System.IO.File.WriteAllText(path, content);
        System.IO.File.SetUnixFileMode(path, Mode(octalMode));
    }

    public static UnixFileMode Mode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);
}
