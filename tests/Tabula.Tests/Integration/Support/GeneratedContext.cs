namespace Tabula.Tests.Integration.Support;

/// <summary>
/// A build context of generated files, <c>data/file-00</c>, … of pseudo-random bytes (seeded, so the same
/// every run; they do not compress, so their size is the work a layer takes), with the given Dockerfile.
/// </summary>
public static class GeneratedContext
{
    public static string Create(string directory, int files, int fileSize, string dockerfile)
    {
        var data = Directory.CreateDirectory(Path.Combine(directory, "data")).FullName;
        var random = new Random(files * 31 + fileSize);
        var bytes = new byte[fileSize];
        for (var i = 0; i < files; i++)
        {
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(data, $"file-{i:D2}"), bytes);
        }
        File.WriteAllText(Path.Combine(directory, "Dockerfile"), dockerfile);
        return Path.GetFullPath(directory);
    }
}
