using System.Security.Cryptography;
using System.Text.Json;
using Tabula.Tests.Analysis;
using Tabula.Tests.Archives;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// <c>inspect docker://REF</c> (and any other transport) and <c>list-tags</c> look at a registry's image without
/// storing anything: the store is not even created. The same image gives the same ID as in the store, and
/// <c>--raw</c> gives the registry's exact manifest bytes, as skopeo reads them.
/// </summary>
public class RemoteInspectTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<(int Code, string Out, string Err)> CliAsync(string root, params string[] args) => InProcessCli.RunAsync(root, args, Ct);

    private static async Task<string> CheckedAsync(string root, params string[] args)
    {
        var (code, output, error) = await CliAsync(root, args);
        Assert.True(code == 0, $"{string.Join(' ', args)}: exit {code}: {error}");
        return output;
    }

    [Fact]
    public async Task A_registry_image_is_inspected_and_its_tags_listed_without_a_store()
    {
        var skopeo = Requirements.Tool("skopeo");
        await using var registry = await RegistryServer.StartAsync(Ct);
        using var fixture = new ArchiveFixture();
        await ImageAnalyzerTests.AddWastefulImageAsync(fixture);
        var repository = $"{registry.Host}/inspect/wasteful";
        await CheckedAsync(fixture.Store.Root, "push", "-q", "wasteful:1", $"{repository}:1");
        await CheckedAsync(fixture.Store.Root, "push", "-q", "wasteful:1", $"{repository}:second");
        using var local = JsonDocument.Parse(await CheckedAsync(fixture.Store.Root, "inspect", "wasteful:1"));
        var untouched = fixture.PathFor("no-store");

        using var remote = JsonDocument.Parse(await CheckedAsync(untouched, "inspect", $"docker://{repository}:1"));
        var image = remote.RootElement[0];
        Assert.Equal(local.RootElement[0].GetProperty("Id").GetString(), image.GetProperty("Id").GetString());
        Assert.Equal(local.RootElement[0].GetProperty("RootFS").GetRawText(), image.GetProperty("RootFS").GetRawText());
        Assert.Equal([$"{repository}:1"], image.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()));
        var manifestDigest = image.GetProperty("Descriptor").GetProperty("Digest").GetString();
        Assert.Equal([$"{repository}@{manifestDigest}"], image.GetProperty("RepoDigests").EnumerateArray().Select(t => t.GetString()));
        Assert.True(image.GetProperty("Size").GetInt64() > 0);

        // --raw: the registry's bytes, exactly (their digest is the manifest's), as skopeo reads them.
        var raw = await CheckedAsync(untouched, "inspect", "--raw", $"docker://{repository}:1");
        Assert.Equal(manifestDigest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(raw))));
        var skopeoRaw = await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--tls-verify=false", "--raw", $"docker://{repository}:1"], Ct);
        Assert.Equal(skopeoRaw.StandardOutput.TrimEnd('\n'), raw);

        Assert.Equal(["1", "second"], (await CheckedAsync(untouched, "list-tags", $"docker://{repository}")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        using var tagsJson = JsonDocument.Parse(await CheckedAsync(untouched, "list-tags", "--format", "json", repository));
        Assert.Equal($"{registry.Host}/inspect/wasteful", tagsJson.RootElement.GetProperty("Repository").GetString());
        Assert.Equal(2, tagsJson.RootElement.GetProperty("Tags").GetArrayLength());

        // A repository the registry does not have: one line, exit 1.
        var (missingCode, _, missingError) = await CliAsync(untouched, "inspect", $"docker://{registry.Host}/inspect/absent:1");
        Assert.Equal(1, missingCode);
        Assert.Single(missingError.Trim().Split('\n'));

        Assert.False(Directory.Exists(untouched), "inspecting a registry image created a store");
    }

    [Fact]
    public async Task An_archive_is_inspected_where_it_is()
    {
        using var fixture = new ArchiveFixture();
        await ImageAnalyzerTests.AddWastefulImageAsync(fixture);
        var archive = fixture.PathFor("wasteful.tar");
        await CheckedAsync(fixture.Store.Root, "save", "-o", archive, "wasteful:1");
        using var local = JsonDocument.Parse(await CheckedAsync(fixture.Store.Root, "inspect", "wasteful:1"));
        var untouched = fixture.PathFor("no-store");

        var id = (await CheckedAsync(untouched, "inspect", "-f", "{{.Id}}", $"docker-archive:{archive}")).Trim();

        Assert.Equal(local.RootElement[0].GetProperty("Id").GetString(), id);
        Assert.False(Directory.Exists(untouched), "inspecting an archive created a store");
    }
}
