using System.Formats.Tar;
using System.Text;
using Tabula.Cli;
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
