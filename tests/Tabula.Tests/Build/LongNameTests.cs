using Tabula.Dockerfile;
using Tabula.Tests.Archives;

namespace Tabula.Tests.Build;

/// <summary>
/// A name over 255 bytes (NAME_MAX) is refused wherever it comes from — a COPY destination, WORKDIR, a file of an
/// archive ADD unpacks — with the Dockerfile line and the name, instead of a layer no filesystem can unpack.
/// </summary>
public class LongNameTests
{
    private static readonly string Long = new('n', 256);

    private static async Task<DockerfileException> FailsAsync(BuildHarness h, string dockerfile, int line)
    {
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync(dockerfile));
        Assert.StartsWith($"Dockerfile:{line}:", error.Message);
        Assert.Contains($"'{Long}'", error.Message);
        Assert.Contains("256 bytes", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    [Fact]
    public async Task A_copy_destination()
    {
        using var h = new BuildHarness();
        h.File("a.txt", "a");
        await FailsAsync(h, $"FROM scratch\nCOPY a.txt /d/{Long}/x\n", 2);
    }

    [Fact]
    public async Task A_workdir()
    {
        using var h = new BuildHarness();
        await FailsAsync(h, $"FROM scratch\nLABEL a=b\nWORKDIR /w/{Long}\n", 3);
    }

    [Fact]
    public async Task A_name_in_an_added_archive_also_on_the_fast_path()
    {
        using var h = new BuildHarness();
        h.Bytes("a.tar", ArchiveFixture.MakeTar(new() { ["ok.txt"] = "ok", [$"d/{Long}"] = "x" }));
        await FailsAsync(h, "FROM scratch\nADD a.tar /\n", 2); // an archive into an empty root would pass through
        await FailsAsync(h, "FROM scratch\nADD a.tar /into/\n", 2);
    }

    [Fact]
    public async Task Exactly_255_bytes_and_multibyte_names_under_it_are_fine()
    {
        using var h = new BuildHarness();
        h.File("a.txt", "a");
        var image = await h.BuildImageAsync($"FROM scratch\nCOPY a.txt /{new string('n', 255)}\nCOPY a.txt /{new string('é', 127)}\n");
        Assert.Equal(2, image.Layers.Count);
        var error = await Assert.ThrowsAsync<DockerfileException>(() => h.BuildAsync($"FROM scratch\nCOPY a.txt /{new string('é', 128)}\n"));
        Assert.Contains("256 bytes", error.Message);
    }
}
