using System.Formats.Tar;
using System.Text;
using Tabula.Build;
using Tabula.Images;
using Tabula.Oci;
using Tabula.Tests.Integration.Support;
using Tabula.Transports;

namespace Tabula.Tests.Build;

/// <summary>
/// A build context folder and a fresh store, each in its own temp dir: tests write context files, build a
/// Dockerfile through <see cref="Builder"/> and read back the image the store holds.
/// </summary>
internal sealed class BuildHarness : IDisposable
{
    public static readonly DateTimeOffset Epoch = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);
    public static readonly Platform Amd64 = Platform.Parse("linux/amd64");

    private readonly TempDir _context = new("build-ctx");
    private readonly TempDir _store = new("build-store");

    public BuildHarness()
    {
        Store = ImageStore.Open(_store.Path);
        Files = new FixtureWriter(_context.Path);
    }

    public ImageStore Store { get; }
    public FixtureWriter Files { get; }
    public string ContextDirectory => _context.Path;
    public List<BuildEvent> Events { get; } = [];

    /// <summary>Called with each event as it is reported, on the thread of the stage that reports it.</summary>
    public Action<BuildEvent>? OnEvent { get; set; }

    public void File(string path, string content, string mode = "644")
    {
        var full = Files.Combine(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        Files.File(path, content, mode);
    }

    public void Bytes(string path, byte[] content)
    {
        var full = Files.Combine(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllBytes(full, content);
    }

    public void Symlink(string path, string target)
    {
        var full = Files.Combine(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        System.IO.File.CreateSymbolicLink(full, target);
    }

    public BuildOptions Options(string dockerfile, string tag = "test:latest") => new()
    {
        ContextDirectory = ContextDirectory,
        DockerfileText = dockerfile,
        Tags = [ImageReference.ParseNamed(tag)],
        Timestamp = Epoch,
        Platform = Amd64,
    };

    public Task<BuildResult> BuildAsync(string dockerfile, string tag = "test:latest")
        => BuildAsync(Options(dockerfile, tag));

    public async Task<BuildResult> BuildAsync(BuildOptions options)
    {
        var progress = new SynchronousProgress(Events, OnEvent);
        return await new Builder(Store, progress).BuildAsync(options, TestContext.Current.CancellationToken);
    }

    /// <summary>Builds and loads the result by its tag.</summary>
    public async Task<IImage> BuildImageAsync(string dockerfile, string tag = "test:latest")
    {
        await BuildAsync(dockerfile, tag);
        return await LoadAsync(tag);
    }

    public async Task<IImage> LoadAsync(string name)
    {
        var ct = TestContext.Current.CancellationToken;
        var stored = await Store.Resolver.ResolveAsync(name, ct);
        return await Store.LoadAsync(stored, null, ct);
    }

    /// <summary>The store's index.json bytes, to show a failed build changed nothing.</summary>
    public byte[] IndexBytes()
    {
        var path = Path.Combine(_store.Path, "index.json");
        return System.IO.File.Exists(path) ? System.IO.File.ReadAllBytes(path) : [];
    }

    public void Dispose()
    {
        _context.Dispose();
        _store.Dispose();
    }

    /// <summary>Reports on the calling thread, so events are all there when the build returns (stages may run side by side).</summary>
    private sealed class SynchronousProgress(List<BuildEvent> events, Action<BuildEvent>? onEvent) : IProgress<BuildEvent>
    {
        public void Report(BuildEvent value)
        {
            lock (events) events.Add(value);
            onEvent?.Invoke(value);
        }
    }
}

/// <summary>One layer's entries, read with the BCL's tar reader, content kept as text.</summary>
internal static class LayerContents
{
    public sealed record Row(string Path, TarEntryType Type, int Mode, int Uid, int Gid, long MTime, string LinkName, string? Text, string Format);

    public static async Task<IReadOnlyList<Row>> ReadAsync(ILayer layer)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var tar = await layer.OpenUncompressedAsync(ct);
        await using var reader = new TarReader(tar);
        var rows = new List<Row>();
        while (await reader.GetNextEntryAsync(copyData: true, ct) is { } entry)
        {
            if (entry.EntryType == TarEntryType.GlobalExtendedAttributes) continue;
            string? text = null;
            if (entry.DataStream is { } data)
                text = await new StreamReader(data, Encoding.UTF8).ReadToEndAsync(ct);
            rows.Add(new Row(entry.Name.TrimEnd('/'), entry.EntryType, (int)entry.Mode, entry.Uid, entry.Gid,
                entry.ModificationTime.ToUnixTimeSeconds(), entry.LinkName, text, entry.Format.ToString()));
        }
        return rows;
    }

    public static async Task<IReadOnlyList<Row>> ReadAllAsync(IImage image)
    {
        var all = new List<Row>();
        foreach (var layer in image.Layers) all.AddRange(await ReadAsync(layer));
        return all;
    }

    public static Row Single(IReadOnlyList<Row> rows, string path)
        => rows.SingleOrDefault(r => r.Path == path) ?? throw new Xunit.Sdk.XunitException(
            $"no entry {path} in the layer; it has: {string.Join(", ", rows.Select(r => r.Path))}");

    public static IReadOnlyList<string> Paths(IReadOnlyList<Row> rows) => rows.Select(r => r.Path).ToList();
}
