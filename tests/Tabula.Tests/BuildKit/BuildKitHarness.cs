using System.Formats.Tar;
using Tabula.Images;
using Tabula.Tests.Build;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// What BuildKit's Dockerfile tests take for granted and <see cref="BuildHarness"/> lacks: the <c>busybox</c> and
/// <c>alpine</c> images they pull (made offline here, in the harness's store), and a file's content as the image
/// shows it (what BuildKit's local exporter would write).
/// </summary>
internal static class BuildKitHarness
{
    public const string Busybox = "busybox:latest";
    public const string Alpine = "alpine:latest";

    /// <summary>The users of docker.io/library/busybox: tests check names and ids the fixture alone lacks (daemon, wheel).</summary>
    private const string BusyboxPasswd = """
        root:x:0:0:root:/root:/bin/sh
        daemon:x:1:1:daemon:/usr/sbin:/bin/false
        bin:x:2:2:bin:/bin:/bin/false
        sys:x:3:3:sys:/dev:/bin/false
        sync:x:4:100:sync:/bin:/bin/sync
        mail:x:8:8:mail:/var/spool/mail:/bin/false
        www-data:x:33:33:www-data:/var/www:/bin/false
        operator:x:37:37:Operator:/var:/bin/false
        nobody:x:65534:65534:nobody:/home:/bin/false

        """;

    private const string BusyboxGroup = """
        root:x:0:
        daemon:x:1:
        bin:x:2:
        sys:x:3:
        adm:x:4:
        tty:x:5:
        disk:x:6:
        lp:x:7:
        mail:x:8:
        kmem:x:9:
        wheel:x:10:root
        cdrom:x:11:
        dialout:x:18:
        floppy:x:19:
        video:x:28:
        audio:x:29:
        tape:x:32:
        www-data:x:33:
        operator:x:37:
        utmp:x:43:
        plugdev:x:46:
        staff:x:50:
        lock:x:54:
        netdev:x:82:
        users:x:100:
        nogroup:x:65534:

        """;

    /// <summary>Skips (or fails, when integration is required) unless RUN can run here: root and runc.</summary>
    public static void RequireRun()
    {
        Requirements.Root();
        Requirements.Tool("runc");
    }

    /// <summary>
    /// Stores <c>busybox:latest</c>: the static busybox fixture with busybox's own <c>/etc/passwd</c> and
    /// <c>/etc/group</c>, built by tabula (<c>FROM scratch</c>, <c>ADD rootfs.tar /</c>).
    /// </summary>
    public static async Task AddBusyboxAsync(this BuildHarness harness)
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDir("busybox-base");
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), ct);
        // etc/passwd- is a hard link to etc/passwd: writing through the same inode keeps the pair a pair.
        await File.WriteAllTextAsync(Path.Combine(rootfs.RootDirectory, "etc/passwd"), BusyboxPasswd, ct);
        await File.WriteAllTextAsync(Path.Combine(rootfs.RootDirectory, "etc/group"), BusyboxGroup, ct);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.None, ct);
        await harness.BuildAsync(harness.Options(await File.ReadAllTextAsync(Path.Combine(context, "Dockerfile"), ct), Busybox)
            with { ContextDirectory = context });
    }

    /// <summary>Stores <c>busybox:latest</c> and <c>alpine:latest</c> (busybox with an <c>/etc/alpine-release</c>).</summary>
    public static async Task AddBusyboxAndAlpineAsync(this BuildHarness harness)
    {
        await harness.AddBusyboxAsync();
        using var temp = new TempDir("alpine-base");
        await File.WriteAllTextAsync(temp.Combine("alpine-release"), "3.20.3\n", TestContext.Current.CancellationToken);
        await harness.BuildAsync(harness.Options($"FROM {Busybox}\nCOPY alpine-release /etc/alpine-release\n", Alpine)
            with { ContextDirectory = temp.Path });
    }

    /// <summary>
    /// The text of a regular file as the image shows it (the topmost layer that has the path; "" when empty), or null
    /// when no layer has it or the topmost entry is a whiteout.
    /// </summary>
    public static async Task<string?> FileTextAsync(IImage image, string path)
    {
        var name = Path.GetFileName(path);
        var whiteout = Path.Combine(Path.GetDirectoryName(path) ?? "", ".wh." + name);
        foreach (var layer in image.Layers.Reverse())
        {
            var rows = await LayerContents.ReadAsync(layer);
            if (rows.Any(r => r.Path == whiteout)) return null;
            if (rows.LastOrDefault(r => r.Path == path) is { } row)
                return row.Type is TarEntryType.RegularFile or TarEntryType.V7RegularFile ? row.Text ?? "" : null;
        }
        return null;
    }

    /// <summary>The paths of every entry of every layer, to say what an image holds when an assertion fails.</summary>
    public static async Task<IReadOnlyList<string>> AllPathsAsync(IImage image)
        => LayerContents.Paths(await LayerContents.ReadAllAsync(image));
}
