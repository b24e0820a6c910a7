using System.Formats.Tar;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// Rootless RUN on overlays: a normal user (uid 65534) builds the same steps over the same base as root does, once
/// through the kernel's overlay mounted in the container's user namespace and once through the copy fallback. Each
/// RUN layer of the rootless overlay build must be root's entry by entry, and the copy fallback's — for the changes
/// a size-and-mtime diff loses (a rewrite with the same size and mtime, a hard link to a lower file), deletions, a
/// directory removed and made again (opaque), a directory replaced by a file, and files of other owners the command
/// changed (which keep their recorded owners). That the overlay path ran is seen in the store: the user's snapshots
/// (one per layer) exist, apart from root's, and the copy build adds none.
/// </summary>
public sealed class RootlessOverlayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Steps = """
        RUN printf AAAA > /f && touch -t 202001010000 /f
        RUN printf BBBB > /f && touch -t 202001010000 /f
        RUN ln /bin/busybox /bb-hard
        RUN rm /etc/shadow && rm -rf /opq && mkdir /opq && echo new > /opq/new
        RUN mkdir /swap && echo a > /swap/a
        RUN rm -rf /swap && echo file > /swap
        RUN echo more >> /srv/owned.txt && chmod 0600 /srv/kept.txt && rm /opq/new
        """;

    private const int RunSteps = 7;

    [Fact]
    public async Task Rootless_overlay_layers_equal_roots_and_the_copy_fallbacks()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var baseContext = fixture.Context("base", $"""
            FROM {RunFixture.BaseImage}
            COPY --chown=100:101 owned.txt /srv/owned.txt
            COPY --chown=7:8 kept.txt /srv/kept.txt
            COPY opq/ /opq/
            """, ("owned.txt", "owned\n"), ("kept.txt", "kept\n"), ("opq/a", "a\n"), ("opq/sub/b", "b\n"));
        Assert.Equal(0, (await fixture.TabulaAsync(Ct, "build", "-q", "-t", "rootless-overlay-base:1", baseContext)).Code);
        var context = fixture.Context("ctx", $"FROM rootless-overlay-base:1\n{Steps}");
        var root = new TabulaCli(fixture.Store) { Environment = { ["TABULA_SNAPSHOTTER"] = "overlay" } };
        var rootBuild = await root.RunAsync(["build", "-t", "by-root:1", context], Ct);
        Assert.True(rootBuild.Succeeded, rootBuild.StandardError + rootBuild.StandardOutput);
        var rootSnapshots = Path.Combine(fixture.Store, "snapshots", "sha256");
        int rootSnapshotCount = Directory.GetDirectories(rootSnapshots).Length;

        var user = await UnprivilegedTabula.CreateAsync(fixture.Temp.CreateDirectory("user"), Ct);
        await UnprivilegedTabula.GiveAsync(fixture.Temp.Path, Ct);
        var overlay = await user.RunAsync(fixture.Store, ["build", "--no-cache", "-t", "rootless-overlay:1", context], Ct, "TABULA_SNAPSHOTTER=overlay");
        Assert.True(overlay.Succeeded, overlay.StandardError + overlay.StandardOutput);
        var userSnapshots = Path.Combine(fixture.Store, "snapshots", "rootless-" + UnprivilegedTabula.Id, "sha256");
        var overlayLayers = await LayersAsync(fixture, user, "rootless-overlay:1");
        // Every layer of the image has the user's snapshot: the base's unpacked once, each RUN's upper directory kept.
        Assert.Equal(overlayLayers.Count, Directory.GetDirectories(userSnapshots).Length);
        Assert.Equal(rootSnapshotCount, Directory.GetDirectories(rootSnapshots).Length);

        var copy = await user.RunAsync(fixture.Store, ["build", "--no-cache", "-t", "rootless-copy:1", context], Ct, "TABULA_SNAPSHOTTER=copy");
        Assert.True(copy.Succeeded, copy.StandardError + copy.StandardOutput);
        Assert.Equal(overlayLayers.Count, Directory.GetDirectories(userSnapshots).Length);
        var copyLayers = await LayersAsync(fixture, user, "rootless-copy:1");
        var rootLayers = await LayersAsync(fixture, user, "by-root:1");

        Assert.Equal(rootLayers.Count, overlayLayers.Count);
        Assert.Equal(rootLayers.Count, copyLayers.Count);
        for (int i = rootLayers.Count - RunSteps; i < rootLayers.Count; i++)
        {
            TarDiff.AssertSame(RunSnapshotTests.Normalize(rootLayers[i]), RunSnapshotTests.Normalize(overlayLayers[i]), $"root's layer {i + 1}", $"the rootless overlay's layer {i + 1}");
            TarDiff.AssertSame(RunSnapshotTests.Normalize(copyLayers[i]), RunSnapshotTests.Normalize(overlayLayers[i]), $"the rootless copy's layer {i + 1}", $"the rootless overlay's layer {i + 1}");
        }
        int first = rootLayers.Count - RunSteps;
        Assert.Contains(overlayLayers[first + 1], r => r.Path == "f" && r.Sha256 == RunSnapshotTests.Sha256("BBBB"));
        Assert.Contains(overlayLayers[first + 2], r => r.Path == "bin/busybox" && r.Type == TarEntryType.HardLink && r.LinkTarget == "bb-hard");
        Assert.Contains(overlayLayers[first + 3], r => r.Path == "opq/.wh.sub");
        Assert.Contains(overlayLayers[first + 5], r => r.Path == "swap" && r.Type == TarEntryType.RegularFile);
        Assert.Contains(overlayLayers[first + 6], r => r.Path == "srv/owned.txt" && (r.Uid, r.Gid) == (100, 101));
        Assert.Contains(overlayLayers[first + 6], r => r.Path == "srv/kept.txt" && (r.Uid, r.Gid, r.OctalMode) == (7, 8, "0600"));

        // The image runs from the user's snapshots, as built.
        var run = await user.RunAsync(fixture.Store, ["run", "--rm", "rootless-overlay:1", "sh", "-c", "cat /f /swap /srv/owned.txt; ls /opq; test -e /etc/shadow || echo no-shadow"], Ct);
        Assert.True(run.Succeeded, run.StandardError);
        Assert.Equal("BBBBfile\nowned\nmore\nno-shadow\n", run.StandardOutput);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(fixture.Store, "snapshots", "rootless-" + UnprivilegedTabula.Id, "active")));
    }

    private static async Task<IReadOnlyList<IReadOnlyList<TarRecord>>> LayersAsync(RunFixture fixture, UnprivilegedTabula user, string image)
    {
        var archive = fixture.Temp.Combine(image.Replace(':', '-') + ".tar");
        var save = await user.RunAsync(fixture.Store, ["save", "-o", archive, image], Ct);
        Assert.True(save.Succeeded, save.StandardError);
        return await DockerSaveArchive.ReadLayerListingsAsync(archive, Ct);
    }
}
