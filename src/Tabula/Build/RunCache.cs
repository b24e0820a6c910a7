using System.Security.Cryptography;
using System.Text;
using Tabula.Archives;
using Tabula.Content;
using Tabula.Images;
using Tabula.Oci;

namespace Tabula.Build;

/// <summary>A RUN step that the cache answered: its layer was reused, the command did not run.</summary>
public sealed record StepCacheHit(int Stage, int Step) : BuildEvent;

/// <summary>
/// The cache of RUN results, as docker's: the same command (arguments, heredoc script) run with the same
/// environment, user, working directory and network on the same parent layers (and the same layer settings)
/// gives the layer it gave before. Entries are small files under <c>cache/run/</c> in the store naming the
/// layer's blob; an entry whose blob was pruned is a miss.
/// </summary>
internal sealed class RunCache(ContentStore content)
{
    private string Folder => Path.Combine(content.Root, "cache", "run");

    public static string Key(IEnumerable<string> parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts.Prepend("tabula run cache v1"))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(part));
            hash.AppendData([0]);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public ILayer? TryGet(string key)
    {
        var path = Path.Combine(Folder, key);
        if (!File.Exists(path)) return null;
        var fields = File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 4 || !Digest.TryParse(fields[1], out var digest) || !Digest.TryParse(fields[3], out var diffId)
            || !long.TryParse(fields[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size))
            return null;
        if (content.SizeOf(digest) != size) return null;
        return new StoreLayer(content, new Descriptor { MediaType = fields[0], Digest = digest, Size = size }, diffId);
    }

    public void Set(string key, ILayer layer)
    {
        Directory.CreateDirectory(Folder);
        AtomicFile.Write(Path.Combine(Folder, key), Encoding.UTF8.GetBytes($"{layer.MediaType}\n{layer.Digest}\n{layer.Size.ToString(System.Globalization.CultureInfo.InvariantCulture)}\n{layer.DiffId}\n"), durable: false);
    }
}
