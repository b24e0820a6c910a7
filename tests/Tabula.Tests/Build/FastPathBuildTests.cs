using System.Formats.Tar;
using System.Security.Cryptography;
using Tabula.Oci;
using Tabula.Tests.Layers;

namespace Tabula.Tests.Build;

/// <summary>DESIGN §5 fast path through the builder: <c>ADD rootfs.tar.gz /</c> on scratch keeps the archive as the blob.</summary>
public class FastPathBuildTests
{
    private static readonly DateTimeOffset Later = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static byte[] Rootfs(bool withRootEntry = false)
    {
        var entries = new List<(string, TarEntryType, string?)>();
        if (withRootEntry) entries.Add(("./", TarEntryType.Directory, null));
        entries.AddRange([
            ("bin", TarEntryType.Directory, null),
            ("bin/busybox", TarEntryType.RegularFile, "#!busybox\n"),
            ("bin/sh", TarEntryType.SymbolicLink, "busybox"),
            ("etc", TarEntryType.Directory, null),
            ("etc/hostname", TarEntryType.RegularFile, "tabula\n"),
            ("etc/hostname.bak", TarEntryType.HardLink, "etc/hostname"),
            ("etc/" + new string('n', 130), TarEntryType.RegularFile, "long\n"),
        ]);
        return CompressedSamples.Gzip(TarTestData.BclTar(TarEntryFormat.Pax, entries.ToArray()));
    }

    private static async Task<Tabula.Images.IImage> BuildAsync(BuildHarness h, string dockerfile, LayerCompression compression = LayerCompression.Gzip)
    {
        await h.BuildAsync(h.Options(dockerfile) with { Timestamp = Later, Compression = compression });
        return await h.LoadAsync("test:latest");
    }

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_eligible_archive_is_the_layer_blob(bool rootEntry)
    {
        using var h = new BuildHarness();
        var archive = Rootfs(rootEntry);
        h.Bytes("rootfs.tar.gz", archive);
        var image = await BuildAsync(h, "FROM scratch\nADD rootfs.tar.gz /\nCMD [\"/bin/sh\"]\n");
        Assert.Equal(Sha256(archive), Assert.Single(image.Layers).Digest.ToString());
        Assert.Equal(["ADD rootfs.tar.gz / # buildkit", "CMD [\"/bin/sh\"]"], image.Config.History!.Select(e => e.CreatedBy!));
    }

    [Theory]
    [InlineData("ADD --chmod=755 rootfs.tar.gz /", false)]
    [InlineData("ADD --chown=1:1 rootfs.tar.gz /", true)]
    [InlineData("ADD rootfs.tar.gz /sub/", false)]
    public async Task Ineligible_cases_take_the_normal_path(string add, bool rootEntry)
    {
        using var h = new BuildHarness();
        var archive = Rootfs(rootEntry);
        h.Bytes("rootfs.tar.gz", archive);
        var image = await BuildAsync(h, "FROM scratch\n" + add + "\n");
        Assert.NotEqual(Sha256(archive), Assert.Single(image.Layers).Digest.ToString());
    }

    [Fact]
    public async Task A_timestamp_earlier_than_the_archive_forces_the_normal_path_and_clamps()
    {
        using var h = new BuildHarness();
        var archive = Rootfs();
        h.Bytes("rootfs.tar.gz", archive);
        var image = await h.BuildImageAsync("FROM scratch\nADD rootfs.tar.gz /\n");
        Assert.NotEqual(Sha256(archive), image.Layers[0].Digest.ToString());
        Assert.All(await LayerContents.ReadAsync(image.Layers[0]), r => Assert.Equal(BuildHarness.Epoch.ToUnixTimeSeconds(), r.MTime));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Fast_and_normal_paths_give_the_same_filesystem(bool rootEntry)
    {
        var archive = Rootfs(rootEntry);
        IReadOnlyList<LayerContents.Row> fast, normal;
        using (var h = new BuildHarness())
        {
            h.Bytes("rootfs.tar.gz", archive);
            fast = await LayerContents.ReadAsync((await BuildAsync(h, "FROM scratch\nADD rootfs.tar.gz /\n")).Layers[0]);
        }
        using (var h = new BuildHarness())
        {
            h.Bytes("rootfs.tar.gz", archive);
            // zstd output cannot reuse a gzip blob: the same step goes the normal way.
            normal = await LayerContents.ReadAsync((await BuildAsync(h, "FROM scratch\nADD rootfs.tar.gz /\n", LayerCompression.Zstd)).Layers[0]);
        }
        static IEnumerable<string> Key(IEnumerable<LayerContents.Row> rows) =>
            rows.Where(r => r.Path is not ("." or "" or "./"))
                .Select(r => $"{r.Path.TrimStart('.', '/')} {r.Type} {r.Mode} {r.Uid}:{r.Gid} {r.MTime} {r.LinkName.TrimStart('.', '/')} {r.Text}")
                .Order(StringComparer.Ordinal);
        Assert.Equal(Key(fast), Key(normal));
        Assert.Equal(7, Key(fast).Count());
    }
}
