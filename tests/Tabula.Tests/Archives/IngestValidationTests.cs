using Tabula.Archives;
using Tabula.Content;
using Tabula.Oci;

namespace Tabula.Tests.Archives;

/// <summary>
/// What load refuses, each with one line naming what is wrong: layers that are no tar (or whose headers overflow, or
/// that lack the end-of-archive), configs that do not describe their layers, lists of images that are not lists. The
/// store's names stay exactly as they were and nothing is left in its ingest folder.
/// </summary>
public sealed class IngestValidationTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ArchiveFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    public static TheoryData<string> Cases => [.. HostileArchives.Corpus().Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task LoadRefusesWithOneLineAndNamesNothing(string name)
    {
        var (_, archive, expected) = HostileArchives.Corpus().Single(c => c.Name == name);
        var path = _fixture.PathFor("hostile.tar");
        await File.WriteAllBytesAsync(path, archive, Ct);
        var (store, references) = _fixture.NewStore("target");
        var index = Path.Combine(store.Root, "index.json");
        var before = await File.ReadAllBytesAsync(index, Ct);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ArchiveLoader.LoadAsync(path, store, references, null, Ct));

        Assert.True(error is IOException or InvalidDataException or Tabula.Layers.LayerFormatException, $"{name}: {error.GetType().Name}: {error}");
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(before, await File.ReadAllBytesAsync(index, Ct));
        Assert.Empty(Directory.GetFiles(store.IngestPath));
        Assert.Empty(await references.ListAsync(Ct));
    }

    [Fact]
    public async Task AGoodHandMadeArchiveLoads()
    {
        // The corpus' builder makes valid archives when nothing is broken: the failures above are the breakage's.
        var layer = HostileArchives.Layer();
        var path = _fixture.PathFor("good.tar");
        await File.WriteAllBytesAsync(path, HostileArchives.DockerArchive(HostileArchives.Config(layer).ToJsonString(), layer), Ct);
        var (store, references) = _fixture.NewStore("target");
        await ArchiveLoader.LoadAsync(path, store, references, null, Ct);
        Assert.Equal("docker.io/library/bad:1", ReferenceStore.NameOf(Assert.Single(await references.ListAsync(Ct)))!.ToString());
    }

    [Fact]
    public async Task ThousandsOfTagsAreSetInOneWrite()
    {
        var manifest = await _fixture.AddSimpleImageAsync("first:1");
        var names = Enumerable.Range(0, 2000).Select(i => (ImageReference.Parse($"many:{i}"), manifest)).ToList();
        await _fixture.References.TagAllAsync(names, [], Ct);
        var listed = await _fixture.References.ListAsync(Ct);
        Assert.Equal(2000, listed.Count(e => ReferenceStore.NameOf(e)?.Repository == "library/many"));
    }

    [Fact]
    public async Task ASaveRemovesPartialFilesOfKilledSaves()
    {
        var manifest = await _fixture.AddSimpleImageAsync();
        var target = _fixture.PathFor("out.tar");
        // A pid above the kernel's maximum is never alive: the file is what a killed save left.
        var stale = _fixture.PathFor($".out.tar.{int.MaxValue}-0123abcd.tmp");
        var foreign = _fixture.PathFor(".out.tar.not-ours.tmp");
        await File.WriteAllTextAsync(stale, "partial", Ct);
        await File.WriteAllTextAsync(foreign, "someone else's", Ct);
        await ArchiveSaver.SaveAsync(_fixture.Store, [new StoredImage(manifest, default, [ImageReference.Parse("busybox:latest")])], ArchiveFormat.Docker, target, Ct);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(foreign));
        Assert.True(File.Exists(target));
    }
}
