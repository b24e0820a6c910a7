using Tabula.Content;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Content;

public class AtomicFileTests
{
    [Fact]
    public void BeforeRenameRunsWhenTheNewContentIsWrittenAndTheOldOneStillHasTheName()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "index.json");
        File.WriteAllText(path, "old");
        string? seen = null;
        string[] staged = [];

        AtomicFile.Write(path, "new"u8, beforeRename: () =>
        {
            seen = File.ReadAllText(path);
            staged = Directory.GetFiles(dir.Path, "index.json.*.tmp").Select(File.ReadAllText).ToArray();
        });

        Assert.Equal("old", seen);
        Assert.Equal(["new"], staged);
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AFailureBeforeRenameLeavesTheOldFileAndNoTempFile()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "index.json");
        File.WriteAllText(path, "old");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, "new"u8, beforeRename: () => throw new IOException("sync failed")));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }
}
