using System.Net;
using System.Text;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>The registry client's protocol paths against a real registry: chunked uploads, manifests by tag and digest, tag pages.</summary>
public class RegistryClientTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task<(Digest Config, Digest Layer)> UploadBlobsAsync(RegistryClient client, string repository, byte[] config, byte[] layer)
    {
        var configDigest = Digest.Compute(config);
        var layerDigest = Digest.Compute(layer);
        Assert.Equal(UploadResult.Uploaded, await client.UploadBlobAsync(repository, layerDigest, layer.Length, _ => Task.FromResult<Stream>(new MemoryStream(layer)), null, Token));
        Assert.Equal(UploadResult.Uploaded, await client.UploadBlobAsync(repository, configDigest, config.Length, _ => Task.FromResult<Stream>(new MemoryStream(config)), null, Token));
        return (configDigest, layerDigest);
    }

    [Fact]
    public async Task ChunkedUploadManifestsByTagAndDigestAndTagPages()
    {
        await using var registry = await RegistryServer.StartAsync(Token);
        using var client = new RegistryClient(registry.Host, new RegistryOptions { ChunkSize = 64 << 10 });
        var layer = new byte[300_000];
        Random.Shared.NextBytes(layer);
        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        var (configDigest, layerDigest) = await UploadBlobsAsync(client, "chunked/repo", config, layer);

        Assert.Equal(layer.Length, await client.BlobSizeAsync("chunked/repo", layerDigest, Token));
        await using (var read = await client.OpenBlobAsync("chunked/repo", layerDigest, layer.Length, Token))
        {
            var copy = new MemoryStream();
            await read.CopyToAsync(copy, Token);
            Assert.Equal(layer, copy.ToArray());
        }
        // Already there: nothing is sent again.
        Assert.Equal(UploadResult.Exists, await client.UploadBlobAsync("chunked/repo", layerDigest, layer.Length, _ => throw new InvalidOperationException("must not be opened"), null, Token));
        // Mounted into another repository.
        Assert.Equal(UploadResult.Mounted, await client.UploadBlobAsync("other/repo", layerDigest, layer.Length, _ => throw new InvalidOperationException("must not be opened"), "chunked/repo", Token));

        var manifest = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","config":{"mediaType":"{{MediaTypes.OciConfig}}","digest":"{{configDigest}}","size":{{config.Length}}},"layers":[{"mediaType":"{{MediaTypes.OciLayer}}","digest":"{{layerDigest}}","size":{{layer.Length}}}]}
            """);
        var digest = await client.PutManifestAsync("chunked/repo", Digest.Compute(manifest).ToString(), manifest, MediaTypes.OciManifest, Token);
        foreach (var tag in new[] { "a", "b", "c", "d", "e" })
            await client.PutManifestAsync("chunked/repo", tag, manifest, MediaTypes.OciManifest, Token);
        var fetched = await client.GetManifestAsync("chunked/repo", "c", Token);
        Assert.Equal(manifest, fetched.Bytes);
        Assert.Equal(digest, fetched.Digest);
        Assert.Equal(MediaTypes.OciManifest, fetched.MediaType);
        Assert.True(await client.ManifestExistsAsync("chunked/repo", digest, Token));

        Assert.Equal(["a", "b", "c", "d", "e"], (await client.ListTagsAsync("chunked/repo", Token, pageSize: 2)).Order());

        var missing = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync("chunked/repo", "nope", Token));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.True(missing.HasCode("MANIFEST_UNKNOWN"));
        Assert.False(missing.IsTransient);
    }

    [Fact]
    public async Task ABlobThatDoesNotMatchItsDigestFailsWhileStreaming()
    {
        await using var registry = await RegistryServer.StartAsync(Token);
        using var client = new RegistryClient(registry.Host);
        var layer = new byte[100_000];
        Random.Shared.NextBytes(layer);
        var (_, layerDigest) = await UploadBlobsAsync(client, "corrupt/repo", "{}"u8.ToArray(), layer);
        var data = registry.BlobDataPath(layerDigest.ToString());
        var damaged = (byte[])layer.Clone();
        damaged[^1] ^= 1;
        await File.WriteAllBytesAsync(data, damaged, Token);
        await using var read = await client.OpenBlobAsync("corrupt/repo", layerDigest, layer.Length, Token);
        var e = await Assert.ThrowsAsync<RegistryContentException>(() => read.CopyToAsync(Stream.Null, Token));
        Assert.Contains("does not match its digest", e.Message);
    }
}
