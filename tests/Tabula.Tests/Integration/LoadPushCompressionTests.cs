using System.Text.Json;
using Tabula.Content;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Tests.Integration.Support;
using Tabula.Transports;

namespace Tabula.Tests.Integration;

/// <summary>
/// A <c>docker save</c> archive loaded by tabula keeps its layers uncompressed, as docker does; a push to a real
/// registry sends them gzip-compressed under a rewritten manifest with the same config, compressing each layer once.
/// </summary>
public sealed class LoadPushCompressionTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LoadedLayersStayUncompressedAndArePushedGzipCompressedOnce()
    {
        var skopeo = Requirements.Tool("skopeo");
        await using var docker = await Docker.ConnectAsync(Token);
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir("load-push");
        var (tag, dockerId, archive) = await DockerSaveTabulaLoadTests.BuildAndSaveWithDockerAsync(docker, temp, "RUN echo more > /more\n");
        using var cli = new RegistryCliSession();
        await cli.RunCheckedAsync("load", "-i", archive);

        // Stored as docker keeps them: the layer.tar bytes, whose digest is the diff ID, sizes counted on the way.
        var store = ImageStore.Open(cli.StoreRoot);
        var loaded = await store.Resolver.ResolveAsync(tag, Token);
        var image = await store.LoadAsync(loaded, null, Token);
        Assert.Equal(dockerId, image.ConfigDigest.ToString());
        Assert.Equal(2, image.Layers.Count);
        Assert.All(image.Layers, layer =>
        {
            Assert.Equal(MediaTypes.DockerLayer, layer.MediaType);
            Assert.Equal(layer.DiffId, layer.Digest);
            Assert.Equal(layer.Size, store.LayerStats.TryGet(layer.Digest)?.TarSize);
        });

        var remote = ImageReference.Parse($"{registry.Host}/loaded/busybox:1");
        var (first, firstEvents) = await PushAsync(store, loaded, remote);
        var compressed = firstEvents.Where(e => e.Kind == TransferKind.Compressed).Select(e => e.Digest.ToString()).Order().ToList();
        Assert.Equal(2, compressed.Count);
        // Compression shows as it goes: each layer's tar read to its end, and each blob made named with the layer it came from.
        Assert.Equal(image.Layers.Select(l => l.DiffId.ToString()).Order(), firstEvents.Where(e => e.Kind == TransferKind.Compressed).Select(e => e.From.ToString()).Order());
        Assert.All(image.Layers, layer => Assert.Contains(firstEvents, e => e.Kind == TransferKind.Compressing && e.Digest == layer.DiffId && e.Size == layer.Size && e.Done == layer.Size));

        // The registry has a Docker manifest with gzip layers and the same config: the image ID stays.
        var raw = (await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--tls-verify=false", "--raw", $"docker://{remote}"], Token)).StandardOutput.TrimEnd('\n');
        Assert.Equal(first.Digest, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw)));
        var manifest = OciJson.DeserializeManifest(System.Text.Encoding.UTF8.GetBytes(raw));
        Assert.Equal(MediaTypes.DockerManifest, manifest.MediaType);
        Assert.Equal(dockerId, manifest.Config.Digest.ToString());
        Assert.All(manifest.Layers, l => Assert.Equal(MediaTypes.DockerLayerGzip, l.MediaType));
        Assert.Equal(compressed, manifest.Layers.Select(l => l.Digest.ToString()).Order());
        // The store itself still names the uncompressed layers: its manifest is unchanged.
        Assert.Equal(loaded.Manifest.Digest, (await store.Resolver.ResolveAsync(tag, Token)).Manifest.Digest);

        using (var fresh = new RegistryCliSession())
        {
            await fresh.RunCheckedAsync("pull", remote.ToString());
            using var inspect = JsonDocument.Parse(await fresh.RunCheckedAsync("inspect", remote.ToString()));
            Assert.Equal(dockerId, inspect.RootElement[0].GetProperty("Id").GetString());
        }

        // Again: nothing is compressed or uploaded, and the manifest is the same.
        var (second, secondEvents) = await PushAsync(store, loaded, remote);
        Assert.Equal(first.Digest, second.Digest);
        Assert.DoesNotContain(secondEvents, e => e.Kind is TransferKind.Compressed or TransferKind.Uploaded);

        // With the compressed blobs collected, the registry's copy still spares compressing them again.
        await store.Collector.CollectAsync(Token);
        Assert.All(compressed, digest => Assert.False(store.Content.Exists(Digest.Parse(digest))));
        var (third, thirdEvents) = await PushAsync(store, loaded, remote);
        Assert.Equal(first.Digest, third.Digest);
        Assert.DoesNotContain(thirdEvents, e => e.Kind == TransferKind.Compressed);

        // Elsewhere they are compressed again, to the very same bytes.
        var (other, otherEvents) = await PushAsync(store, loaded, ImageReference.Parse($"{registry.Host}/other/busybox:1"));
        Assert.Equal(first.Digest, other.Digest);
        Assert.Equal(compressed, otherEvents.Where(e => e.Kind == TransferKind.Compressed).Select(e => e.Digest.ToString()).Order());

        // copy from the docker archive itself compresses the same way.
        var copied = $"{registry.Host}/copied/busybox:1";
        await cli.RunCheckedAsync("copy", $"docker-archive:{archive}", $"docker://{copied}");
        var copiedRaw = (await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--tls-verify=false", "--raw", $"docker://{copied}"], Token)).StandardOutput.TrimEnd('\n');
        Assert.Equal(first.Digest, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(copiedRaw)));
    }

    /// <summary>An index whose manifests name uncompressed layers: they are rewritten, and so is the index that names them.</summary>
    [Fact]
    public async Task AnIndexOfUncompressedImagesIsPushedWithRewrittenManifests()
    {
        await using var registry = await RegistryServer.StartAsync(Token);
        using var temp = new TempDir("index-push");
        using var cli = new RegistryCliSession();
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Token);
        await cli.RunCheckedAsync("build", "-q", "--oci-mediatypes", "--compression", "none", "-t", "plain:1", context);
        var store = ImageStore.Open(cli.StoreRoot);
        var built = await store.Resolver.ResolveAsync("plain:1", Token);
        var child = built.Manifest with { Platform = Platform.Host };
        var indexBytes = OciJson.Serialize(new ImageIndex { SchemaVersion = 2, MediaType = MediaTypes.OciIndex, Manifests = [child] });
        var indexDigest = await store.Content.WriteBytesAsync(indexBytes, Token);
        var name = ImageReference.Parse("plain:index");
        await store.References.TagAsync(name, new Descriptor { MediaType = MediaTypes.OciIndex, Digest = indexDigest, Size = indexBytes.Length }, Token);

        var remote = ImageReference.Parse($"{registry.Host}/plain/index:1");
        var (result, events) = await PushAsync(store, await store.Resolver.ResolveAsync("plain:index", Token), remote);

        Assert.NotEqual(indexDigest, result.Digest);
        Assert.Single(events, e => e.Kind == TransferKind.Compressed);
        using var client = new RegistryClient(registry.Host, new RegistryOptions());
        var pushedIndex = OciJson.DeserializeIndex((await client.GetManifestAsync("plain/index", "1", Token)).Bytes);
        var pushedChild = Assert.Single(pushedIndex.Manifests);
        Assert.NotEqual(built.Manifest.Digest, pushedChild.Digest);
        Assert.Equal(Platform.Host, pushedChild.Platform);
        var manifest = OciJson.DeserializeManifest((await client.GetManifestAsync("plain/index", pushedChild.Digest.ToString(), Token)).Bytes);
        Assert.Equal(built.Id, manifest.Config.Digest);
        Assert.All(manifest.Layers, l => Assert.Equal(MediaTypes.OciLayerGzip, l.MediaType));
    }

    private static async Task<(PushResult Result, List<TransferEvent> Events)> PushAsync(ImageStore store, StoredImage source, ImageReference destination)
    {
        var events = new List<TransferEvent>();
        using var client = new RegistryClient(destination.Registry, new RegistryOptions());
        var result = await new RegistryPusher(store, client).PushAsync(source, destination, null, new Collect(events), Token);
        return (result, events);
    }

    private sealed class Collect(List<TransferEvent> into) : IProgress<TransferEvent>
    {
        public void Report(TransferEvent value)
        {
            lock (into) into.Add(value);
        }
    }
}
