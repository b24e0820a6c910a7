using System.Security.Cryptography;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// <c>FROM scratch</c> / <c>ADD rootfs.tar… /</c> must give the layer docker's legacy builder gives, entry by
/// entry, whether Tabula passes a gzip archive through as the layer blob (the fast path) or extracts and
/// re-emits an archive it cannot pass through (the normal path).
/// </summary>
public sealed class DockerLayerEquivalenceTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>
    /// Each case also checks which path it took, so the comparison covers both: a gzip archive is a valid layer
    /// as it is (fast path), also with the <c>./</c> entry distribution tarballs start with, which docker's layer
    /// does not have: the root entry (0755, root-owned, as every image root is) is the only entry allowed to
    /// differ, and only by being there. An archive compressed with bzip2, xz or zstd (layers are gzip) is
    /// extracted (normal path).
    /// </summary>
    [Theory]
    [InlineData(TarCompression.Gzip, false, true)]
    [InlineData(TarCompression.Gzip, true, true)]
    [InlineData(TarCompression.Bzip2, true, false)]
    [InlineData(TarCompression.Xz, false, false)]
    [InlineData(TarCompression.Zstd, true, false)]
    public async Task LayerEqualsDockersLayerEntryByEntry(TarCompression compression, bool rootEntry, bool passedThrough)
    {
        await using var docker = await Docker.ConnectAsync(Token);
        using var temp = new TempDir("layer-equivalence");
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Token);
        // docker's reference is built from gzip, which every docker extracts (docker 20.10 does not know zstd);
        // the tar inside is the same bytes whatever compresses it, since the fixture tar is reproducible.
        var dockerContext = await ScratchContext.CreateAsync(temp.Combine("docker-context"), rootfs, TarCompression.Gzip, Token, rootEntry);
        var tabulaContext = await ScratchContext.CreateAsync(temp.Combine("tabula-context"), rootfs, compression, Token, rootEntry);
        var dockerTag = docker.NewTag("layer-reference");
        await docker.BuildLegacyAsync(dockerContext, dockerTag, Token);
        var dockerArchive = temp.Combine("docker-saved.tar");
        await docker.SaveAsync(dockerTag, dockerArchive, Token);

        var tabula = new TabulaCli(temp.Combine("store"));
        await tabula.BuildAsync(tabulaContext, "busybox-fixture:latest", Token);
        var tabulaArchive = await tabula.SaveAsync("busybox-fixture:latest", temp.Combine("tabula-saved.tar"), "docker", Token);

        var dockerLayer = Assert.Single(await DockerSaveArchive.ReadLayerListingsAsync(dockerArchive, Token));
        var tabulaLayer = Assert.Single(await DockerSaveArchive.ReadLayerListingsAsync(tabulaArchive, Token));
        Assert.DoesNotContain(dockerLayer, r => r.Path == ".");
        if (tabulaLayer.SingleOrDefault(r => r.Path == ".") is { } root)
        {
            Assert.True(passedThrough && rootEntry, "only a passed-through archive keeps its root entry");
            Assert.Equal(("0755", 0, 0), (root.OctalMode, root.Uid, root.Gid));
        }
        TarDiff.AssertSame(dockerLayer, tabulaLayer.Where(r => r.Path != ".").ToList(), "docker's layer.tar", $"tabula's layer.tar ({compression} input)");

        // The fast path keeps the input's bytes as the layer blob; the normal path writes new ones.
        var (_, manifest) = await tabula.ReadManifestAsync("busybox-fixture:latest", Token);
        var layer = Assert.Single(manifest.Layers);
        var input = await File.ReadAllBytesAsync(Path.Combine(tabulaContext, ScratchContext.ArchiveName(compression)), Token);
        Assert.Equal(passedThrough, layer.Digest.Encoded == Convert.ToHexStringLower(SHA256.HashData(input)));
        // Builds write OCI media types by default (README, "OCI media types").
        Assert.Equal("application/vnd.oci.image.layer.v1.tar+gzip", layer.MediaType);
    }
}
