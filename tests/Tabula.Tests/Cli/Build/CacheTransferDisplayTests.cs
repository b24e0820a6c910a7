using System.Text.Json;
using Tabula.Build;
using Tabula.Build.SharedCache;
using Tabula.Cli.Build;
using Tabula.Oci;
using Tabula.Transports;

namespace Tabula.Tests.Cli.Build;

/// <summary>A shared cache's blobs shown as <c>push</c> and <c>pull</c> show theirs: plain lines under a header, and <c>cache</c> events in rawjson.</summary>
public class CacheTransferDisplayTests
{
    private static readonly Digest Blob = Digest.Compute("blob"u8);
    private static readonly Digest Other = Digest.Compute("other"u8);

    private static IEnumerable<BuildEvent> Events() =>
    [
        new CacheTransfer("reg.example/cache:1", Exporting: true, new TransferEvent(TransferKind.Started, Blob, 10)),
        new CacheTransfer("reg.example/cache:1", Exporting: true, new TransferEvent(TransferKind.Progress, Blob, 10, 5)),
        new CacheTransfer("reg.example/cache:1", Exporting: true, new TransferEvent(TransferKind.Uploaded, Blob, 10)),
        new CacheTransfer("reg.example/cache:1", Exporting: true, new TransferEvent(TransferKind.Exists, Other, 3)),
        new CacheTransfer("/ci/cache", Exporting: false, new TransferEvent(TransferKind.Downloaded, Blob, 10)),
    ];

    [Fact]
    public void Plain_prints_a_header_per_cache_and_a_line_per_finished_blob()
    {
        var output = new StringWriter();
        var printer = new PlainBuildPrinter(output);
        foreach (var e in Events()) printer.Report(e);
        Assert.Equal(
            [
                "Exporting cache to reg.example/cache:1",
                $"{Blob.Short}: Pushed",
                $"{Other.Short}: Layer already exists",
                "Importing cache from /ci/cache",
                $"{Blob.Short}: Pull complete",
            ],
            output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Rawjson_gives_each_finished_blob_as_a_cache_event()
    {
        var output = new StringWriter();
        var printer = new RawJsonBuildPrinter(output, TimeProvider.System);
        foreach (var e in Events()) printer.Report(e);
        var messages = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(j => (j.GetProperty("type").GetString(), j.GetProperty("message").GetString())).ToList();
        Assert.Equal(
            [
                ("cache", $"exporting cache to reg.example/cache:1: {Blob.Short}: Pushed"),
                ("cache", $"exporting cache to reg.example/cache:1: {Other.Short}: Layer already exists"),
                ("cache", $"importing cache from /ci/cache: {Blob.Short}: Pull complete"),
            ],
            messages);
    }
}
