using Tabula.Oci;
using Tabula.Runtime;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Runtime;

/// <summary>The check before a foreign RUN, against a fake binfmt_misc folder written as the kernel shows its entries.</summary>
public class BinfmtEmulationTests
{
    private static readonly Platform Amd64 = Platform.Parse("linux/amd64");
    private static readonly Platform Arm64 = Platform.Parse("linux/arm64");

    /// <summary>Debian qemu-user-static's aarch64 entry, as /proc/sys/fs/binfmt_misc/qemu-aarch64 reads.</summary>
    private static string Aarch64Entry(string state = "enabled", string flags = "PF") => $"""
        {state}
        interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
        flags: {flags}
        offset 0
        magic 7f454c460201010000000000000000000200b700
        mask ffffffffffffff00fffffffffffffffffeffffff

        """;

    private static TempDir Binfmt(string status, params (string Name, string Text)[] entries)
    {
        var dir = new TempDir("binfmt");
        File.WriteAllText(dir.Combine("status"), status + "\n");
        File.WriteAllText(dir.Combine("register"), "");
        foreach (var (name, text) in entries) File.WriteAllText(dir.Combine(name), text);
        return dir;
    }

    private static string Refusal(Platform target, string directory)
        => Assert.Throws<EmulationUnavailableException>(() => BinfmtEmulation.EnsureCanRun(target, Amd64, directory)).Message;

    [Fact]
    public void A_registered_emulator_with_the_F_flag_lets_the_platform_run()
    {
        using var dir = Binfmt("enabled", ("python3.11", "enabled\ninterpreter /usr/bin/python3.11\nflags: \noffset 0\nmagic a70d0d0a\n"), ("qemu-aarch64", Aarch64Entry()));
        BinfmtEmulation.EnsureCanRun(Arm64, Amd64, dir.Path);
        BinfmtEmulation.EnsureCanRun(Platform.Parse("linux/arm64/v8"), Amd64, dir.Path);
    }

    [Fact]
    public void The_hosts_own_platform_needs_no_emulator()
    {
        using var dir = new TempDir("no-binfmt");
        BinfmtEmulation.EnsureCanRun(Amd64, Amd64, dir.Path);
        BinfmtEmulation.EnsureCanRun(Platform.Parse("linux/386"), Amd64, dir.Path);
    }

    [Fact]
    public void No_registration_names_what_to_install()
    {
        using var dir = Binfmt("enabled", ("qemu-arm", Aarch64Entry().Replace("0200b700", "02002800").Replace("0201010000", "0101010000")));
        var message = Refusal(Arm64, dir.Path);
        Assert.Contains("linux/arm64 programs cannot run", message);
        Assert.Contains("qemu-user-static and binfmt-support", message);
        Assert.Contains("tonistiigi/binfmt --install arm64", message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void A_disabled_registration_says_how_to_enable_it()
    {
        using var dir = Binfmt("enabled", ("qemu-aarch64", Aarch64Entry("disabled")));
        Assert.Contains("update-binfmts --enable qemu-aarch64", Refusal(Arm64, dir.Path));
    }

    [Fact]
    public void A_registration_without_the_F_flag_is_refused_since_the_container_lacks_the_interpreter()
    {
        using var dir = Binfmt("enabled", ("qemu-aarch64", Aarch64Entry(flags: "P")));
        var message = Refusal(Arm64, dir.Path);
        Assert.Contains("without the F flag", message);
        Assert.Contains("/usr/libexec/qemu-binfmt/aarch64-binfmt-P", message);
    }

    [Fact]
    public void Binfmt_misc_disabled_or_unmounted_is_said()
    {
        using (var dir = Binfmt("disabled", ("qemu-aarch64", Aarch64Entry())))
            Assert.Contains("binfmt_misc is disabled", Refusal(Arm64, dir.Path));
        using var empty = new TempDir("unmounted");
        Assert.Contains("binfmt_misc is not mounted", Refusal(Arm64, empty.Path));
    }

    [Fact]
    public void An_architecture_without_a_known_executable_format_is_refused() => Assert.Contains("knows no emulator", Refusal(Platform.Parse("linux/wasm"), "/nonexistent"));

    [Fact]
    public void The_header_of_each_architecture_matches_qemus_magic()
    {
        // e_machine at bytes 18-19: aarch64 183 little-endian, s390x 22 big-endian.
        Assert.Equal(new byte[] { 0xb7, 0x00 }, BinfmtEmulation.ElfHeader(Arm64)![18..20]);
        Assert.Equal(new byte[] { 0x00, 0x16 }, BinfmtEmulation.ElfHeader(Platform.Parse("linux/s390x"))![18..20]);
    }
}
