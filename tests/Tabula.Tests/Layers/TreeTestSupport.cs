using System.Security.Cryptography;
using Tabula.Layers;

namespace Tabula.Tests.Layers;

/// <summary>Applies layer tars held in memory and flattens trees into comparable rows.</summary>
internal static class TreeTestSupport
{
    public static readonly DirectoryDefaults Implied = DirectoryDefaults.Create(TarTestData.Time);

    public static async Task<FileTree> ApplyLayersAsync(CancellationToken cancellationToken, params byte[][] tars)
    {
        var tree = new FileTree();
        for (int i = 0; i < tars.Length; i++)
            await LayerApplier.ApplyAsync(tree, new MemoryStream(tars[i]), i, OpenerFor(tars), cancellationToken);
        return tree;
    }

    public static LowerLayerOpener OpenerFor(byte[][] tars) => (content, _) =>
        ValueTask.FromResult<Stream>(new MemoryStream(tars[content.LayerIndex], (int)content.DataOffset, (int)content.Length, writable: false));

    /// <summary>What an extracted filesystem shows of each path: the fields the fast and normal paths must agree on.</summary>
    public sealed record FileRow(string Path, LayerEntryType Type, int Mode, int Uid, int Gid, long Size, string LinkTarget, string? ContentSha256, DateTimeOffset ModTime);

    public static async Task<List<FileRow>> RowsAsync(FileTree tree, CancellationToken cancellationToken)
    {
        var rows = new List<FileRow>();
        foreach (var (entry, content, _) in tree.Entries)
        {
            string? hash = null;
            if (content is not null)
            {
                await using var stream = await content.OpenAsync(cancellationToken);
                hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
            }
            rows.Add(new FileRow(entry.Path, entry.Type, entry.Mode, entry.Uid, entry.Gid, entry.Size, entry.LinkTarget, hash, entry.ModTime));
        }
        return rows;
    }

    public static async Task<byte[]> EmitAsync(FileTree tree, CancellationToken cancellationToken)
    {
        var output = new MemoryStream();
        await LayerEmitter.WriteLayerAsync(tree, output, cancellationToken);
        return output.ToArray();
    }

    public static async Task<List<string>> NamesAsync(byte[] tar, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var reader = new TarArchiveReader(new MemoryStream(tar));
        while (await reader.NextAsync(cancellationToken) is { } entry)
            names.Add(entry.Type == LayerEntryType.Hardlink ? $"{entry.Name} => {entry.LinkName}" : entry.Name);
        return names;
    }
}
