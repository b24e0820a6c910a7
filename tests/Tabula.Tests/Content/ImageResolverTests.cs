using System.Text;
using Tabula.Content;
using Tabula.Oci;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Content;

/// <summary>An ID names a config: the same image stored under two manifests is found by its ID, not reported as ambiguous.</summary>
public class ImageResolverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<Descriptor> StoreManifestAsync(ContentStore store, string configText, string? note = null)
    {
        var config = await store.WriteBytesAsync(Encoding.UTF8.GetBytes(configText), Ct);
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = config, Size = configText.Length },
            Layers = [],
            Annotations = note is null ? null : new Dictionary<string, string> { ["note"] = note },
        };
        var bytes = OciJson.Serialize(manifest);
        return new Descriptor { MediaType = MediaTypes.OciManifest, Digest = await store.WriteBytesAsync(bytes, Ct), Size = bytes.Length };
    }

    [Fact]
    public async Task The_same_config_under_two_manifests_resolves_by_id_to_the_named_one()
    {
        using var dir = new TempDir();
        var content = ContentStore.Open(dir.Path);
        var refs = new ReferenceStore(content);
        var first = await StoreManifestAsync(content, "{\"a\":1}");
        var second = await StoreManifestAsync(content, "{\"a\":1}", "reloaded"); // same config, another manifest
        var name = ImageReference.Parse("app:1");
        await refs.TagAsync(name, first, Ct);
        await refs.TagAsync(name, second, Ct); // the first is left as <none>
        var resolver = new ImageResolver(content, refs);
        var images = await resolver.ListAsync(Ct);
        Assert.Equal(2, images.Count);
        var id = Assert.Single(images.Select(i => i.Id).Distinct());

        foreach (var text in new[] { id.ToString(), id.Encoded, id.Short })
            Assert.Equal(second.Digest, (await resolver.ResolveAsync(text, Ct)).Manifest.Digest);
        Assert.Equal(first.Digest, (await resolver.ResolveAsync(first.Digest.ToString(), Ct)).Manifest.Digest); // by manifest digest: that one
    }

    [Fact]
    public async Task When_both_are_named_the_first_in_the_index_is_taken_and_other_images_stay_ambiguous()
    {
        using var dir = new TempDir();
        var content = ContentStore.Open(dir.Path);
        var refs = new ReferenceStore(content);
        var first = await StoreManifestAsync(content, "{\"a\":1}");
        var second = await StoreManifestAsync(content, "{\"a\":1}", "reloaded");
        await refs.TagAsync(ImageReference.Parse("app:1"), first, Ct);
        await refs.TagAsync(ImageReference.Parse("app:2"), second, Ct);
        var resolver = new ImageResolver(content, refs);
        var images = await resolver.ListAsync(Ct);
        var id = images[0].Id;

        var once = await resolver.ResolveAsync(id.ToString(), Ct);
        Assert.Equal(images[0].Manifest.Digest, once.Manifest.Digest);
        Assert.Equal(once.Manifest.Digest, (await resolver.ResolveAsync(id.Short, Ct)).Manifest.Digest);

        // A prefix shared by two different configs is still ambiguous: store configs until one's ID starts like this one's.
        for (int n = 2; ; n++)
        {
            var other = await StoreManifestAsync(content, $"{{\"a\":{n}}}");
            await refs.TagAsync(ImageReference.Parse($"other:{n}"), other, Ct);
            var otherId = (await resolver.ListAsync(Ct)).Single(i => i.Manifest.Digest == other.Digest).Id;
            if (otherId.Encoded[0] != id.Encoded[0]) continue;
            await Assert.ThrowsAsync<AmbiguousImageException>(() => resolver.ResolveAsync(id.Encoded[..1], Ct));
            break;
        }
    }
}
