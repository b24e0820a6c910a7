using Tabula.Tests.Integration;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's frontend/dockerfile/dockerfile_runsecurity_test.go: RUN's bounding capabilities are docker's default set;
/// <c>RUN --security=insecure</c> is a privileged container with <c>--allow security.insecure</c> (BuildKit's
/// security.insecure entitlement, granted), an error naming the entitlement without it (denied). BuildKit's tests run
/// under both sandboxes; these run both cases.
/// </summary>
public sealed class RunSecurityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string DefaultCapabilities = "RUN [ \"$(cat /proc/self/status | grep CapBnd)\" = \"$(printf 'CapBnd:\\t00000000a80425fb')\" ]";

    [Fact]
    public async Task TestRunSecuritySandbox()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("sandbox", $"FROM {RunFixture.BaseImage}\n{DefaultCapabilities.Replace("RUN ", "RUN --security=sandbox ", StringComparison.Ordinal)}\n");
        await fixture.BuildAsync(context, "sandbox:1", Ct);
    }

    [Fact]
    public async Task TestRunSecurityDefault()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        var context = fixture.Context("default", $"FROM {RunFixture.BaseImage}\n{DefaultCapabilities}\n");
        await fixture.BuildAsync(context, "default:1", Ct);
    }

    private const string Denied = "entitlement security.insecure is not allowed";

    /// <summary>
    /// The bounding set of an insecure RUN: BuildKit's test wants all 38 capabilities of Linux 5.x (0x3fffffffff),
    /// which a privileged container gets when its builder holds them; a builder holds no more than its own effective set
    /// (this one may run inside a container that dropped some), so that set, masked the same way, is expected.
    /// </summary>
    [Fact]
    public async Task TestRunSecurityInsecure()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        string expected = (OwnEffectiveCapabilities() & 0x3fffffffff).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        var dockerfile = $$"""
            FROM busybox
            RUN --security=insecure [ "$(printf '%x' $(( $(cat /proc/self/status | grep CapBnd | cut -f 2 | sed s#^#0x#) & 0x3fffffffff)))" == "{{expected}}" ]
            {{DefaultCapabilities}}
            """;
        var (code, output) = await BusyboxBuild.BuildAsync(fixture, "insecure:1", dockerfile, "--allow", "security.insecure");
        Assert.True(code == 0, output);

        (code, output) = await BusyboxBuild.BuildAsync(fixture, "insecure:2", dockerfile);
        Assert.Equal(1, code);
        Assert.Contains(Denied, output, StringComparison.Ordinal);
        Assert.Contains("--allow security.insecure", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The devices of an insecure RUN: fuse and loop-control appear only there, dmesg reads the kernel log, and a loop
    /// device mounts an ext2 image (busybox's mke2fs -F stands in for e2fsprogs' mkfs.ext4). BuildKit's FUSE step needs its hellofs
    /// image from the network and is left out.
    /// </summary>
    [Fact]
    public async Task TestInsecureDevicesWhitelist()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        const string dockerfile = """
            FROM alpine
            RUN [ ! -e /dev/fuse ] && [ ! -e /dev/loop-control ]
            RUN --security=insecure [ -c /dev/fuse ] && [ -c /dev/loop-control ]
            RUN --security=insecure dmesg > /dev/null
            RUN --security=insecure ls -l /dev && dd if=/dev/zero of=disk.img bs=20M count=1 && \
                mke2fs -F disk.img && mkdir -p /mnt && \
                mount -o loop disk.img /mnt && touch /mnt/foo && \
                umount /mnt && \
                rm disk.img
            """;
        var (code, output) = await BusyboxBuild.BuildAsync(fixture, "devices:1", dockerfile, "--allow", "security.insecure");
        Assert.True(code == 0, output);

        (code, output) = await BusyboxBuild.BuildAsync(fixture, "devices:2", dockerfile);
        Assert.Equal(1, code);
        Assert.Contains(Denied, output, StringComparison.Ordinal);
    }

    private static ulong OwnEffectiveCapabilities()
    {
        var line = File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        return ulong.Parse(line[7..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    }
}
