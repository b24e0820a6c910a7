using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Tabula.Tests.Archives;

/// <summary>
/// Hand-made docker and OCI archives with one thing wrong each, byte by byte (no library would write them): the corpus
/// of inputs that once crashed or poisoned the store, shared by the ingest tests and the fuzz test.
/// </summary>
public static class HostileArchives
{
    public static string Sha(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>A ustar header block for one regular file, with the checksum right; <paramref name="edit"/> may change fields first.</summary>
    public static byte[] Header(string name, long size, Action<byte[]>? edit = null, char type = '0')
    {
        var block = new byte[512];
        Encoding.ASCII.GetBytes(name).CopyTo(block, 0);
        Octal(block, 100, 8, 420);
        Octal(block, 108, 8, 0);
        Octal(block, 116, 8, 0);
        Octal(block, 124, 12, size);
        Octal(block, 136, 12, 0);
        block[156] = (byte)type;
        Encoding.ASCII.GetBytes("ustar\u000000").CopyTo(block, 257);
        edit?.Invoke(block);
        Checksum(block);
        return block;
    }

    public static void Checksum(byte[] block)
    {
        for (int i = 148; i < 156; i++) block[i] = (byte)' ';
        long sum = block.Sum(b => (long)b);
        Octal(block, 148, 7, sum);
        block[155] = (byte)' ';
    }

    private static void Octal(byte[] block, int offset, int length, long value)
    {
        var text = Convert.ToString(value, 8).PadLeft(length - 1, '0');
        Encoding.ASCII.GetBytes(text).CopyTo(block, offset);
        block[offset + length - 1] = 0;
    }

    private static byte[] Padded(byte[] data) => [.. data, .. new byte[(512 - data.Length % 512) % 512]];

    /// <summary>A tar of one file "hello", preceded by a PAX header with <paramref name="pax"/> records when given.</summary>
    public static byte[] Layer(IReadOnlyDictionary<string, string>? pax = null, bool endBlocks = true)
    {
        var parts = new List<byte>();
        if (pax is { Count: > 0 })
        {
            var records = new StringBuilder();
            foreach (var (key, value) in pax)
            {
                var body = $" {key}={value}\n";
                int length = body.Length + 1;
                while ((length.ToString().Length + body.Length) != length) length = length.ToString().Length + body.Length;
                records.Append(length).Append(body);
            }
            var data = Encoding.UTF8.GetBytes(records.ToString());
            parts.AddRange(Header("PaxHeaders/hello", data.Length, type: 'x'));
            parts.AddRange(Padded(data));
        }
        parts.AddRange(Header("hello", 5));
        parts.AddRange(Padded("hello"u8.ToArray()));
        if (endBlocks) parts.AddRange(new byte[1024]);
        return [.. parts];
    }

    public static JsonObject Config(params byte[][] layers) => new()
    {
        ["architecture"] = "amd64",
        ["os"] = "linux",
        ["config"] = new JsonObject(),
        ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray([.. layers.Select(l => (JsonNode)JsonValue.Create("sha256:" + Sha(l)))]) },
    };

    /// <summary>A legacy docker archive naming "bad:1" with the given layer tars and config (JSON text, as written).</summary>
    public static byte[] DockerArchive(string config, params byte[][] layers)
    {
        var configBytes = Encoding.UTF8.GetBytes(config);
        var configName = Sha(configBytes) + ".json";
        var entries = new List<(string, byte[])>();
        for (int i = 0; i < layers.Length; i++) entries.Add(($"layer{i}/layer.tar", layers[i]));
        entries.Add((configName, configBytes));
        var manifest = new JsonArray(new JsonObject
        {
            ["Config"] = configName,
            ["RepoTags"] = new JsonArray("bad:1"),
            ["Layers"] = new JsonArray([.. Enumerable.Range(0, layers.Length).Select(i => (JsonNode)JsonValue.Create($"layer{i}/layer.tar"))]),
        });
        entries.Add(("manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString())));
        return Tar(entries);
    }

    /// <summary>An OCI archive holding only <c>oci-layout</c> and the given <c>index.json</c> text.</summary>
    public static byte[] OciArchive(string index) =>
        Tar([("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"u8.ToArray()), ("index.json", Encoding.UTF8.GetBytes(index))]);

    public static byte[] Tar(IEnumerable<(string Name, byte[] Content)> entries)
    {
        var parts = new List<byte>();
        foreach (var (name, content) in entries)
        {
            parts.AddRange(Header(name, content.Length));
            parts.AddRange(Padded(content));
        }
        parts.AddRange(new byte[1024]);
        return [.. parts];
    }

    /// <summary>Every case: a name, the archive, and a word the one-line error must contain.</summary>
    public static IEnumerable<(string Name, byte[] Archive, string Expected)> Corpus()
    {
        var layer = Layer();
        string Cfg(Action<JsonObject> change) { var c = Config(layer); change(c); return c.ToJsonString(); }
        foreach (var (key, value) in new[] { ("size", "99999999999999999999999"), ("uid", "99999999999999999999"), ("gid", "-99999999999999999999"), ("size", "-1"), ("mtime", "1e30"), ("mtime", "-1e300") })
        {
            var bad = Layer(new Dictionary<string, string> { [key] = value });
            yield return ($"pax {key}={value}", DockerArchive(Config(bad).ToJsonString(), bad), "not a valid layer tar");
        }
        var truncated = Layer(endBlocks: false);
        yield return ("no end-of-archive", DockerArchive(Config(truncated).ToJsonString(), truncated), "end-of-archive");
        var garbage = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("garbage!", 128)));
        yield return ("layer not a tar", DockerArchive(Config(garbage).ToJsonString(), garbage), "not a valid layer tar");
        yield return ("config without rootfs", DockerArchive(Cfg(c => c.Remove("rootfs")), layer), "'rootfs'");
        yield return ("config without diff_ids", DockerArchive(Cfg(c => c["rootfs"]!.AsObject().Remove("diff_ids")), layer), "'rootfs.diff_ids'");
        yield return ("config rootfs null", DockerArchive(Cfg(c => c["rootfs"] = null), layer), "'rootfs'");
        yield return ("config diff_ids short", DockerArchive(Cfg(c => c["rootfs"]!["diff_ids"] = new JsonArray()), layer), "diff IDs");
        yield return ("config diff_id wrong", DockerArchive(Cfg(c => c["rootfs"]!["diff_ids"] = new JsonArray("sha256:" + new string('0', 64))), layer), "does not match");
        yield return ("manifest.json empty", Tar([("manifest.json", "[]"u8.ToArray())]), "no images");
        yield return ("manifest.json null entry", Tar([("manifest.json", "[null]"u8.ToArray())]), "null");
        yield return ("index without manifests", OciArchive("{\"schemaVersion\":2}"), "'manifests'");
        yield return ("index with a null entry", OciArchive("{\"schemaVersion\":2,\"manifests\":[null]}"), "'manifests[0]'");
        yield return ("index empty", OciArchive("{\"schemaVersion\":2,\"manifests\":[]}"), "no images");
        yield return ("index null", OciArchive("null"), "null");
    }
}
