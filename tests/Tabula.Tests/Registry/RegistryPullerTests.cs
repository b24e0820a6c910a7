using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Tabula.Oci;
using Tabula.Registry;
using Tabula.Tests.Integration.Support;
using Tabula.Transports;

namespace Tabula.Tests.Registry;

/// <summary>Pulls from a scripted registry whose connection breaks in the middle of a layer.</summary>
public class RegistryPullerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Gives some bytes, then fails as a reset connection does.</summary>
    private sealed class BreakingStream(byte[] data, int breakAt) : MemoryStream(data)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= breakAt) throw new IOException("connection reset", new SocketException((int)SocketError.ConnectionReset));
            return await base.ReadAsync(buffer[..(int)Math.Min(buffer.Length, breakAt - Position)], cancellationToken);
        }
    }

    /// <param name="beforeBlob">Awaited before a blob is answered, with whether it is a layer.</param>
    private sealed class Server(Dictionary<string, byte[]> blobs, byte[] manifest, int breakFirstLayerReads, bool flipALayerByte = false, Func<bool, Task>? beforeBlob = null) : HttpMessageHandler
    {
        private int _layerReads;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (path == "/v2/") return new HttpResponseMessage(HttpStatusCode.OK);
            if (path.EndsWith("/manifests/1", StringComparison.Ordinal))
            {
                var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(manifest) };
                response.Content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
                return response;
            }
            var digest = path[(path.LastIndexOf('/') + 1)..];
            var data = blobs[digest];
            bool isLayer = data.Length > 1000;
            if (beforeBlob is not null) await beforeBlob(isLayer);
            if (isLayer && flipALayerByte)
            {
                data = (byte[])data.Clone();
                data[data.Length / 2] ^= 0xff;
            }
            Stream body = isLayer && Interlocked.Increment(ref _layerReads) <= breakFirstLayerReads ? new BreakingStream(data, data.Length / 2) : new MemoryStream(data);
            var blob = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
            blob.Content.Headers.ContentLength = data.Length;
            return blob;
        }
    }

    private static (Dictionary<string, byte[]> Blobs, byte[] Manifest, Digest ConfigDigest) Image() => Image(null);

    /// <param name="layerBytes">The layer blob (default: a tar of 50 kB of random data); its diff ID is its own digest.</param>
    /// <param name="diffIds">The config's rootfs.diff_ids as JSON (default: the layer's digest).</param>
    private static (Dictionary<string, byte[]> Blobs, byte[] Manifest, Digest ConfigDigest) Image(byte[]? layerBytes, string? diffIds = null)
    {
        var data = new byte[50_000];
        Random.Shared.NextBytes(data);
        // A real tar: a pull checks that each layer is one and that it hashes to its diff ID.
        var layer = layerBytes ?? Tabula.Tests.Archives.HostileArchives.Tar([("data", data)]);
        var layerDigest = Digest.Compute(layer);
        diffIds ??= $"[\"{layerDigest}\"]";
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":{diffIds}}}}}");
        var configDigest = Digest.Compute(config);
        var manifest = OciJson.Serialize(new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest, Size = config.Length },
            Layers = [new Descriptor { MediaType = MediaTypes.OciLayer, Digest = layerDigest, Size = layer.Length }],
        });
        return (new Dictionary<string, byte[]> { [layerDigest.ToString()] = layer, [configDigest.ToString()] = config }, manifest, configDigest);
    }

    [Fact]
    public async Task ABrokenConnectionMidLayerIsRetriedAndThePullFinishes()
    {
        var (blobs, manifest, configDigest) = Image();
        using var root = new TempDir("store");
        var store = ImageStore.Open(root.Path);
        using var client = new RegistryClient("registry.test", new RegistryOptions(), new Server(blobs, manifest, breakFirstLayerReads: 1));
        var result = await new RegistryPuller(store, client).PullAsync(ImageReference.Parse("registry.test/a/b:1"), null, false, null, Token);
        Assert.Equal(configDigest, result.ImageId);
        Assert.Empty(Directory.EnumerateFiles(store.Content.IngestPath));
    }

    [Fact]
    public async Task LayersAreAskedForWhileTheConfigIsStillOnItsWay()
    {
        // The config is answered only once a layer has been asked for (or after a long wait, when none is: the old way).
        var (blobs, manifest, configDigest) = Image();
        var layerAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool layerAskedFirst = false;
        using var root = new TempDir("store");
        var store = ImageStore.Open(root.Path);
        using var client = new RegistryClient("registry.test", new RegistryOptions(), new Server(blobs, manifest, breakFirstLayerReads: 0, beforeBlob: async isLayer =>
        {
            if (isLayer) layerAsked.TrySetResult();
            else layerAskedFirst = await Task.WhenAny(layerAsked.Task, Task.Delay(TimeSpan.FromSeconds(15), Token)) == layerAsked.Task;
        }));
        var result = await new RegistryPuller(store, client).PullAsync(ImageReference.Parse("registry.test/a/b:1"), null, false, null, Token);
        Assert.True(layerAskedFirst);
        Assert.Equal(configDigest, result.ImageId);
        Assert.Single(await store.References.ListAsync(Token));
    }

    [Fact]
    public async Task AConnectionThatKeepsBreakingFailsAndNamesNothing()
    {
        var (blobs, manifest, _) = Image();
        using var root = new TempDir("store");
        var store = ImageStore.Open(root.Path);
        using var client = new RegistryClient("registry.test", new RegistryOptions(), new Server(blobs, manifest, breakFirstLayerReads: 100));
        var e = await Assert.ThrowsAsync<RegistryException>(() => new RegistryPuller(store, client).PullAsync(ImageReference.Parse("registry.test/a/b:1"), null, false, null, Token));
        Assert.True(e.IsTransient);
        Assert.Empty(await store.References.ListAsync(Token));
        Assert.Empty(Directory.EnumerateFiles(store.Content.IngestPath));
    }

    [Fact]
    public async Task ALayerThatDoesNotHashToItsDigestFailsAndStoresNothing()
    {
        // The layer's bytes are hashed once, by the store as it writes them; the stream only holds them to the size.
        var (blobs, manifest, _) = Image();
        using var root = new TempDir("store");
        var store = ImageStore.Open(root.Path);
        using var client = new RegistryClient("registry.test", new RegistryOptions(), new Server(blobs, manifest, breakFirstLayerReads: 0, flipALayerByte: true));
        var e = await Assert.ThrowsAsync<RegistryContentException>(() => new RegistryPuller(store, client).PullAsync(ImageReference.Parse("registry.test/a/b:1"), null, false, null, Token));
        var layer = OciJson.DeserializeManifest(manifest).Layers[0];
        Assert.Contains("does not match its digest", e.Message);
        Assert.Contains(layer.Digest.ToString(), e.Message);
        Assert.False(e.IsTransient);
        Assert.False(store.Content.Exists(layer.Digest));
        Assert.Empty(await store.References.ListAsync(Token));
        Assert.Empty(Directory.EnumerateFiles(store.Content.IngestPath));
    }

    public static TheoryData<string, string> Poisoned => new()
    {
        { "wrong diff ID", "does not match" },
        { "no diff IDs", "rootfs.diff_ids" },
        { "too few diff IDs", "lists 0" },
        { "not a tar", "not a valid layer tar" },
    };

    [Theory]
    [MemberData(nameof(Poisoned))]
    public async Task AnImageWhoseLayersAreNotWhatItsConfigSaysIsRefused(string poison, string expected)
    {
        var garbage = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("not a tar ", 200)));
        var (blobs, manifest, _) = poison switch
        {
            "wrong diff ID" => Image(null, $"[\"sha256:{new string('0', 64)}\"]"),
            "no diff IDs" => Image(null, "null"),
            "too few diff IDs" => Image(null, "[]"),
            _ => Image(garbage),
        };
        using var root = new TempDir("store");
        var store = ImageStore.Open(root.Path);
        using var client = new RegistryClient("registry.test", new RegistryOptions(), new Server(blobs, manifest, breakFirstLayerReads: 0));
        var e = await Assert.ThrowsAsync<RegistryContentException>(() => new RegistryPuller(store, client).PullAsync(ImageReference.Parse("registry.test/a/b:1"), null, false, null, Token));
        Assert.Contains(expected, e.Message);
        Assert.Contains("registry.test/a/b", e.Message);
        Assert.False(store.Content.Exists(OciJson.DeserializeManifest(manifest).Layers[0].Digest));
        Assert.Empty(await store.References.ListAsync(Token));
    }

    /// <summary>Keeps every event, in order, on the reporting thread.</summary>
    private sealed class Recorder : IProgress<TransferEvent>
    {
        public List<TransferEvent> Events { get; } = [];
        public void Report(TransferEvent value) { lock (Events) Events.Add(value); }
    }

    [Fact]
    public async Task ALayerDownloadReportsItsStartItsBytesAndItsEnd()
    {
        var (blobs, manifest, _) = Image();
        using var root = new TempDir("store");
        var store = ImageStore.Open(root.Path);
        using var client = new RegistryClient("registry.test", new RegistryOptions(), new Server(blobs, manifest, breakFirstLayerReads: 0));
        var recorder = new Recorder();
        await new RegistryPuller(store, client).PullAsync(ImageReference.Parse("registry.test/a/b:1"), null, false, recorder, Token);
        var layer = OciJson.DeserializeManifest(manifest).Layers[0];
        var events = recorder.Events.Where(e => e.Digest == layer.Digest).ToList();
        Assert.Equal(TransferKind.Started, events[0].Kind);
        Assert.Equal(TransferKind.Downloaded, events[^1].Kind);
        var progress = events.Where(e => e.Kind == TransferKind.Progress).Select(e => e.Done).ToList();
        Assert.NotEmpty(progress);
        Assert.Equal(progress.Order(), progress);
        Assert.Equal(layer.Size, progress[^1]);
        Assert.All(events, e => Assert.Equal(layer.Size, e.Size));
    }
}
