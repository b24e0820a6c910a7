using System.Globalization;
using System.Security.Cryptography;
using Tabula.Layers;

namespace Tabula.Build.Mounts;

/// <summary>
/// What keys a bind mount <c>from=STAGE,source=PATH</c>: the content under PATH in the stage's filesystem, as BuildKit
/// keys a mount by its selector — each entry's path, type, mode, owner, size, link and file content, never its mtime
/// (BuildKit's content hash uses tarsum v1 headers, which leave it out). A change elsewhere in the stage, or a stage
/// built again to the same files, keeps the step's key.
/// </summary>
internal static class StageContentKey
{
    public static async Task AddAsync(StepKey key, FileTree tree, string source, CancellationToken cancellationToken)
    {
        var root = tree.Resolve(LayerPath.Clean(source));
        if (!root.Exists)
        {
            key.Add("missing " + source);
            return;
        }
        var prefix = root.Path;
        foreach (var item in tree.Entries)
        {
            var path = item.Entry.Path;
            string relative;
            if (prefix.Length == 0) relative = path;
            else if (path == prefix) relative = ".";
            else if (path.StartsWith(prefix + "/", StringComparison.Ordinal)) relative = path[(prefix.Length + 1)..];
            else continue;
            var e = item.Entry;
            var line = string.Create(CultureInfo.InvariantCulture, $"{relative} {e.Type} {e.Mode:x} {e.Uid}:{e.Gid} {e.Size} {e.LinkTarget}");
            if (e.Type == LayerEntryType.RegularFile && item.Content is { } content)
            {
                await using var stream = await content.OpenAsync(cancellationToken).ConfigureAwait(false);
                line += " " + Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            }
            key.Add(line);
        }
    }
}
