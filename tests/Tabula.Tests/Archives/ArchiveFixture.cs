using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Tabula.Archives;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Tests.Archives;

/// <summary>A temp folder with a store holding tiny images made in code; removed when disposed.</summary>
internal sealed class ArchiveFixture : IDisposable
{
    public ArchiveFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "tabula-archives-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Store = ContentStore.Open(Path.Combine(Root, "store"));
        References = new ReferenceStore(Store);
    }

    public string Root { get; }
    public ContentStore Store { get; }
    public ReferenceStore References { get; }

    public string PathFor(string name) => Path.Combine(Root, name);

    /// <summary>A fresh, empty store in this fixture's folder.</summary>
    public (ContentStore Store, ReferenceStore References) NewStore(string name)
    {
        var store = ContentStore.Open(Path.Combine(Root, name));
        return (store, new ReferenceStore(store));
    }

    /// <summary>Stores an image whose layers each hold the given files, tags it, and returns its index descriptor.</summary>
    public Task<Descriptor> AddImageAsync(string[] names, string cmd, params Dictionary<string, string>[] layerFiles)
        => AddImageFromTarsAsync(names, cmd, null, layerFiles.Select(MakeTar).ToArray());

    /// <summary>
    /// Stores an image of the given layer tars (gzip-compressed), tags it, and returns its index descriptor. The config
    /// history is <paramref name="history"/>, else one <c>ADD</c> entry per layer.
    /// </summary>
    public async Task<Descriptor> AddImageFromTarsAsync(string[] names, string cmd, IReadOnlyList<HistoryEntry>? history, params byte[][] layerTars)
    {
        var layers = new List<ILayer>();
        var diffIds = new List<Digest>();
        foreach (var tar in layerTars)
        {
            var gzipped = Gzip(tar);
            var digest = await Store.WriteBytesAsync(gzipped, CancellationToken.None);
            var diffId = Digest.Compute(tar);
            diffIds.Add(diffId);
            layers.Add(new StoreLayer(Store, new Descriptor { MediaType = MediaTypes.DockerLayerGzip, Digest = digest, Size = gzipped.Length }, diffId));
        }
        var config = EmptyImage.Config(new Platform { Os = "linux", Architecture = "amd64" }) with
        {
            Created = new DateTimeOffset(2024, 1, 26, 23, 44, 47, TimeSpan.Zero),
            Config = new ContainerConfig { Env = [EmptyImage.DefaultPath], Cmd = [cmd], WorkingDir = "/" },
            RootFs = new RootFs { DiffIds = diffIds },
            History = history?.ToList() ?? layerTars.Select(_ => new HistoryEntry { CreatedBy = "ADD files / # buildkit", Comment = "buildkit.dockerfile.v0" }).ToList(),
        };
        var image = Image.Create(config, layers, ociMediaTypes: false);
        var descriptor = await new OciLayout(Store).WriteImageAsync(image, null, CancellationToken.None);
        foreach (var name in names) await References.TagAsync(ImageReference.Parse(name), descriptor, CancellationToken.None);
        if (names.Length == 0) await References.AddUnnamedAsync(descriptor, CancellationToken.None);
        return descriptor;
    }

    public Task<Descriptor> AddSimpleImageAsync(string name = "busybox:latest", string cmd = "/bin/sh")
        => AddImageAsync([name], cmd, new() { ["bin/sh"] = "#!shell", ["etc/hostname"] = "box\n" }, new() { ["etc/motd"] = "hello " + cmd });

    public static byte[] MakeTar(Dictionary<string, string> files)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, path, new Dictionary<string, string>())
                {
                    ModificationTime = DateTimeOffset.UnixEpoch,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                };
                writer.WriteEntry(entry);
            }
        }
        return buffer.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(data);
        return buffer.ToArray();
    }

    /// <summary>Every entry of a tar file: name → (type, content).</summary>
    public static Dictionary<string, (TarEntryType Type, byte[] Content, string Link)> ReadTar(string path)
    {
        var result = new Dictionary<string, (TarEntryType, byte[], string)>(StringComparer.Ordinal);
        using var file = File.OpenRead(path);
        using var reader = new TarReader(file);
        while (reader.GetNextEntry() is { } entry)
        {
            using var content = new MemoryStream();
            entry.DataStream?.CopyTo(content);
            result[entry.Name] = (entry.EntryType, content.ToArray(), entry.LinkName);
        }
        return result;
    }

    public static List<string> TarNames(string path)
    {
        var names = new List<string>();
        using var file = File.OpenRead(path);
        using var reader = new TarReader(file);
        while (reader.GetNextEntry() is { } entry) names.Add(entry.Name);
        return names;
    }

    /// <summary>Writes a tar of the given entries (in the given order), for hand-made broken archives.</summary>
    public static void WriteTar(string path, IEnumerable<(string Name, byte[] Content)> entries)
    {
        using var file = File.Create(path);
        using var writer = new TarWriter(file, TarEntryFormat.Ustar);
        foreach (var (name, content) in entries)
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
