using Tabula.Layers;
using Tabula.Runtime;
using Tabula.Runtime.Snapshots;
using Tabula.Tests.Integration.Support;
using Tabula.Tests.Layers;

namespace Tabula.Tests.Runtime;

/// <summary>
/// What a rootless snapshot keeps beside a path in <c>user.tabula.*</c> xattrs: the image's owner and privileged
/// xattrs, read back as they were written, taken off a layer entry, and removed when the entry no longer needs them;
/// the overlay options a user namespace needs.
/// </summary>
public sealed class RecordedMetadataTests
{
    private static readonly byte[] Capability = [1, 0, 0, 2, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    [Fact]
    public void Records_round_trip_and_stale_ones_go()
    {
        using var temp = new TempDir("records");
        string file = temp.Combine("f");
        File.WriteAllText(file, "x");
        File.SetUnixFileMode(file, (UnixFileMode)0b100_100_100);
        var entry = TarTestData.File("f", 1) with { Uid = 100, Gid = 101, Xattrs = LayerXattrs.From([new("security.capability", Capability), new("user.note", "hi"u8.ToArray())]) };

        RecordedMetadata.Write(file, entry, Posix.Lstat(file)!);

        var recorded = RecordedMetadata.Read(file);
        Assert.Equal((100, 101), (recorded.Uid, recorded.Gid));
        Assert.Equal(["security.capability"], recorded.Privileged.Select(x => x.Key));
        Assert.Equal(Capability, recorded.Privileged[0].Value);
        Assert.Equal(0b100_100_100, Posix.Lstat(file)!.Permissions); // the write bit lent for the records is taken back

        // As the upper directory shows the file: owned by the caller, with the records, the overlay's own xattr and the image's user xattr.
        Posix.SetXattr(file, "user.overlay.origin", []);
        Posix.SetXattr(file, "user.note", "hi"u8.ToArray()); // as the unpack writes the image's own user xattrs
        var onDisk = RootfsDiff.EntryFor("f", file, Posix.Lstat(file)!) with { Uid = 65534, Gid = 65534 };
        var layerEntry = RecordedMetadata.Apply(onDisk, recorded);
        Assert.Equal((100, 101), (layerEntry.Uid, layerEntry.Gid));
        Assert.Equal(["security.capability", "user.note"], layerEntry.Xattrs.Keys);

        RecordedMetadata.Write(file, entry with { Uid = 0, Gid = 0, Xattrs = LayerXattrs.Empty }, Posix.Lstat(file)!);
        var cleared = RecordedMetadata.Read(file);
        Assert.Equal((0, 0), (cleared.Uid, cleared.Gid));
        Assert.Empty(cleared.Privileged);
        Assert.DoesNotContain(Posix.GetXattrs(file), x => RecordedMetadata.IsRecord(x.Key));
    }

    [Fact]
    public void An_overlay_in_a_user_namespace_uses_user_xattrs_and_makes_no_redirects()
    {
        var rootless = new OverlayRoot(["/s/2", "/s/1"], "/a/upper", "/a/work", InUserNamespace: true).Options;
        Assert.Equal(["lowerdir=/s/2:/s/1", "upperdir=/a/upper", "workdir=/a/work", "userxattr", "index=off", "redirect_dir=nofollow", "metacopy=off"], rootless);
        var root = new OverlayRoot(["/s/1"], "/a/upper", "/a/work").Options;
        Assert.DoesNotContain("userxattr", root);
        Assert.Contains("redirect_dir=off", root);
    }
}
