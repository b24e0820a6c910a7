using System.Formats.Tar;
using System.Text;
using Tabula.Cli;
using Tabula.Oci;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's frontend/dockerfile/dockerfile_export_test.go, test by test (rows in tests/buildkit-parity.md). BuildKit's
/// tar exporter is <c>tabula export</c>; its uploaded tar context is <c>tabula build -</c> with the tar on stdin.
/// </summary>
public sealed class ExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TestTarExporterBasic()
    {
        using var temp = new TempDir("tar-exporter");
        var context = temp.CreateDirectory("context");
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY foo foo\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(context, "foo"), "data", Ct);
        var cli = new TabulaCli(temp.Combine("store"));
        await cli.BuildAsync(context, "exported:latest", Ct);
        var archive = temp.Combine("out.tar");
        await cli.RunCheckedAsync(["export", "-o", archive, "exported:latest"], Ct);

        Assert.Equal("data", await ReadEntryAsync(archive, "foo"));
    }

    [Fact]
    public async Task TestTarContext()
    {
        using var temp = new TempDir("tar-context");
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(TextEntry("Dockerfile", "\nFROM scratch\nCOPY foo /"), Ct);
            await writer.WriteEntryAsync(TextEntry("foo", "contents"), Ct);
        }
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await CliApp.RunAsync(["--root", temp.Combine("store"), "build", "-t", "tarcontext:latest", "-"], output, error,
            _ => null, () => new MemoryStream(tar.ToArray()), Ct);

        Assert.True(code == 0, error.ToString());
        var archive = temp.Combine("out.tar");
        await new TabulaCli(temp.Combine("store")).RunCheckedAsync(["export", "-o", archive, "tarcontext:latest"], Ct);
        Assert.Equal("contents", await ReadEntryAsync(archive, "foo"));
    }

    [Fact]
    public async Task TestTarExporterMulti()
    {
        using var temp = new TempDir("tar-exporter-multi");
        var context = temp.CreateDirectory("context");
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), """

            FROM scratch AS stage-linux
            COPY foo forlinux

            FROM scratch AS stage-darwin
            COPY bar fordarwin

            FROM stage-$TARGETOS

            """, Ct);
        await File.WriteAllTextAsync(Path.Combine(context, "foo"), "data", Ct);
        await File.WriteAllTextAsync(Path.Combine(context, "bar"), "data2", Ct);
        var cli = new TabulaCli(temp.Combine("store"));

        var single = temp.Combine("single.tar");
        await cli.RunCheckedAsync(["build", "-q", "-o", $"type=tar,dest={single}", context], Ct);
        Assert.Equal("data", await ReadEntryAsync(single, "forlinux"));

        // Repeat multi-platform: one folder per platform. Nothing RUNs, so darwin needs no machine to run on.
        var multi = temp.Combine("multi.tar");
        await cli.RunCheckedAsync(["build", "-q", "--platform", "linux/amd64,darwin/amd64", "-o", $"type=tar,dest={multi}", context], Ct);
        Assert.Equal("data", await ReadEntryAsync(multi, "linux_amd64/forlinux"));
        Assert.Equal("data2", await ReadEntryAsync(multi, "darwin_amd64/fordarwin"));
        Assert.Null(await ReadEntryAsync(multi, "forlinux"));
    }

    [Fact]
    public async Task TestExportMultiPlatform()
    {
        using var temp = new TempDir("export-multi");
        var context = temp.CreateDirectory("context");
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), """

            FROM scratch
            ARG TARGETARCH
            ARG TARGETPLATFORM
            LABEL target=$TARGETPLATFORM
            COPY arch-$TARGETARCH whoami

            """, Ct);
        foreach (var arch in new[] { "arm", "amd64", "s390x", "ppc64le" })
            await File.WriteAllTextAsync(Path.Combine(context, "arch-" + arch), "i am " + arch, Ct);
        var cli = new TabulaCli(temp.Combine("store"));

        var destDir = temp.Combine("local");
        await cli.RunCheckedAsync(["build", "-q", "--platform", "windows/amd64,linux/arm,linux/s390x", "-o", $"type=local,dest={destDir}", context], Ct);
        Assert.Equal("i am amd64", await File.ReadAllTextAsync(Path.Combine(destDir, "windows_amd64/whoami"), Ct));
        Assert.Equal("i am arm", await File.ReadAllTextAsync(Path.Combine(destDir, "linux_arm_v7/whoami"), Ct));
        Assert.Equal("i am s390x", await File.ReadAllTextAsync(Path.Combine(destDir, "linux_s390x/whoami"), Ct));

        // Repeat with the oci exporter.
        var output = temp.Combine("out.tar");
        await cli.RunCheckedAsync(["build", "-q", "--platform", "windows/amd64,linux/arm/v6,linux/ppc64le", "-o", $"type=oci,dest={output}", context], Ct);
        var m = await ReadAllEntriesAsync(output);
        var index = OciJson.DeserializeIndex(m["index.json"]);
        var list = OciJson.DeserializeIndex(m[$"blobs/sha256/{index.Manifests[0].Digest.Encoded}"]);
        Assert.Equal(3, list.Manifests.Count);
        (string P, string Os, string Arch, string Data)[] expected =
        [
            ("windows/amd64", "windows", "amd64", "i am amd64"),
            ("linux/arm/v6", "linux", "arm", "i am arm"),
            ("linux/ppc64le", "linux", "ppc64le", "i am ppc64le"),
        ];
        for (int i = 0; i < expected.Length; i++)
        {
            var exp = expected[i];
            Assert.Equal(exp.P, list.Manifests[i].Platform?.ToString());
            var manifest = OciJson.DeserializeManifest(m[$"blobs/sha256/{list.Manifests[i].Digest.Encoded}"]);
            var layer = Assert.Single(manifest.Layers);
            Assert.Equal(exp.Data, await ReadLayerEntryAsync(m[$"blobs/sha256/{layer.Digest.Encoded}"], "whoami"));
            var config = OciJson.DeserializeConfig(m[$"blobs/sha256/{manifest.Config.Digest.Encoded}"]);
            Assert.Equal(exp.Os, config.Os);
            Assert.Equal(exp.Arch, config.Architecture);
            Assert.Equal(exp.P, config.Config?.Labels?["target"]);
        }
    }

    /// <summary>Every regular file of a tar by name (BuildKit's testutil.ReadTarToMap).</summary>
    internal static async Task<Dictionary<string, byte[]>> ReadAllEntriesAsync(string archive)
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using var file = File.OpenRead(archive);
        await using var reader = new TarReader(file);
        while (await reader.GetNextEntryAsync(copyData: true, Ct) is { } entry)
        {
            if (entry.DataStream is not { } data) continue;
            using var bytes = new MemoryStream();
            await data.CopyToAsync(bytes, Ct);
            entries[entry.Name.TrimStart('.', '/')] = bytes.ToArray();
        }
        return entries;
    }

    /// <summary>A file's text in a gzip-compressed layer blob.</summary>
    private static async Task<string?> ReadLayerEntryAsync(byte[] layer, string name)
    {
        await using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(layer), System.IO.Compression.CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        while (await reader.GetNextEntryAsync(copyData: true, Ct) is { } entry)
            if (entry.Name.TrimStart('.', '/') == name && entry.DataStream is { } data)
                return await new StreamReader(data).ReadToEndAsync(Ct);
        return null;
    }

    private static PaxTarEntry TextEntry(string name, string text) => new(TarEntryType.RegularFile, name)
    {
        Mode = (UnixFileMode)0b110_100_100,
        DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)),
    };

    private static async Task<string?> ReadEntryAsync(string archive, string name)
    {
        await using var file = File.OpenRead(archive);
        await using var reader = new TarReader(file);
        while (await reader.GetNextEntryAsync(copyData: true, Ct) is { } entry)
            if (entry.Name.TrimStart('.', '/') == name && entry.DataStream is { } data)
                return await new StreamReader(data).ReadToEndAsync(Ct);
        return null;
    }
}
