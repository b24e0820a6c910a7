using Tabula.Archives;
using Tabula.Images;
using Tabula.Oci;
using Tabula.Registry;

namespace Tabula.Transports;

/// <summary>An image in a registry: manifest and config fetched (exact bytes, verified), layers opened lazily from the registry.</summary>
internal static class RegistryImage
{
    public static async Task<IImage> LoadAsync(RegistryClient client, ImageReference reference, Platform? platform, CancellationToken cancellationToken)
    {
        var repository = reference.Repository;
        var manifest = await client.GetManifestAsync(repository, reference.Digest?.ToString() ?? reference.Tag ?? ImageReference.DefaultTag, cancellationToken).ConfigureAwait(false);
        if (manifest.IsIndex)
        {
            var index = OciJson.DeserializeIndex(manifest.Bytes);
            var wanted = platform ?? Platform.Host;
            var chosen = await PlatformSelection.ChooseAsync(manifest.Digest, index, wanted,
                async (nested, ct) => OciJson.DeserializeIndex((await client.GetManifestAsync(repository, nested.Digest.ToString(), ct).ConfigureAwait(false)).Bytes), cancellationToken).ConfigureAwait(false);
            manifest = await client.GetManifestAsync(repository, chosen.Digest.ToString(), cancellationToken).ConfigureAwait(false);
        }
        var parsed = OciJson.DeserializeManifest(manifest.Bytes);
        byte[] rawConfig;
        await using (var stream = await client.OpenBlobAsync(repository, parsed.Config.Digest, parsed.Config.Size, cancellationToken).ConfigureAwait(false))
        {
            var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            rawConfig = buffer.ToArray();
        }
        var config = OciJson.DeserializeConfig(rawConfig);
        if (config.RootFs.DiffIds.Count != parsed.Layers.Count)
            throw new InvalidDataException($"{reference}: the config lists {config.RootFs.DiffIds.Count} diff IDs but the manifest has {parsed.Layers.Count} layers");
        var layers = parsed.Layers.Select((d, i) => (ILayer)new RegistryLayer(client, repository, d, config.RootFs.DiffIds[i])).ToList();
        return Image.FromParts(manifest.Bytes, parsed, manifest.MediaType, rawConfig, config, layers);
    }
}

/// <summary>A layer whose blob is in a registry; every read is verified as it streams.</summary>
internal sealed class RegistryLayer(RegistryClient client, string repository, Descriptor descriptor, Digest diffId) : ILayer
{
    public Digest Digest => descriptor.Digest;
    public Digest DiffId => diffId;
    public long Size => descriptor.Size;
    public string MediaType => descriptor.MediaType;

    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) => client.OpenBlobAsync(repository, descriptor.Digest, descriptor.Size, cancellationToken);

    public async Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken)
        => LayerDecompression.Open(await OpenCompressedAsync(cancellationToken).ConfigureAwait(false), MediaTypes.LayerCompressionOf(descriptor.MediaType));
}
