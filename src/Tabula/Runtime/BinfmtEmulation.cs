using System.Globalization;
using Tabula.Oci;

namespace Tabula.Runtime;

/// <summary>
/// Whether programs of another architecture can run in a container here: through the kernel's binfmt_misc with a
/// user-mode emulator (QEMU), registered for that architecture's ELF header, enabled, and with the <c>F</c> flag (the
/// kernel opens the emulator when it is registered, so it need not exist inside the container's root filesystem).
/// Checked before a RUN starts, so a missing emulator is one line saying what to install, not an "exec format error".
/// </summary>
internal static class BinfmtEmulation
{
    public const string DefaultDirectory = "/proc/sys/fs/binfmt_misc";

    /// <exception cref="EmulationUnavailableException">The target's programs cannot run here.</exception>
    public static void EnsureCanRun(Platform target, Platform host, string directory = DefaultDirectory)
    {
        if (RunsNatively(target, host)) return;
        var install = $"install qemu-user-static and binfmt-support (Debian, Ubuntu), or run `docker run --privileged --rm tonistiigi/binfmt --install {target.Architecture}`";
        if (ElfHeader(target) is not { } header)
            throw new EmulationUnavailableException($"{target} programs cannot run on this {host} machine, and tabula knows no emulator for architecture '{target.Architecture}'");
        var status = Read(Path.Combine(directory, "status"));
        if (status is null)
            throw new EmulationUnavailableException($"{target} programs cannot run on this {host} machine: binfmt_misc is not mounted at {directory}; mount it (mount -t binfmt_misc binfmt_misc {directory}), then {install}");
        if (status != "enabled")
            throw new EmulationUnavailableException($"{target} programs cannot run on this {host} machine: binfmt_misc is disabled (echo 1 > {Path.Combine(directory, "status")} as root enables it)");
        Registration? disabled = null, withoutF = null;
        foreach (var file in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(file) is "status" or "register" || Registration.Parse(Path.GetFileName(file), Read(file)) is not { } entry || !entry.Matches(header)) continue;
            if (!entry.Enabled) disabled ??= entry;
            else if (!entry.FixBinary) withoutF ??= entry;
            else return;
        }
        if (withoutF is { } f)
            throw new EmulationUnavailableException($"{target} programs cannot run in a container here: binfmt_misc's '{f.Name}' is registered without the F flag, so the kernel looks for {f.Interpreter} inside the image; register it with F (qemu-user-static's registrations have it), or {install}");
        if (disabled is { } d)
            throw new EmulationUnavailableException($"{target} programs cannot run on this {host} machine: binfmt_misc's '{d.Name}' is disabled; enable it (update-binfmts --enable {d.Name}) as root");
        throw new EmulationUnavailableException($"{target} programs cannot run on this {host} machine: no emulator is registered with binfmt_misc for them; {install}");
    }

    /// <summary>The host's own architecture, and the 32-bit one an amd64 kernel runs too.</summary>
    private static bool RunsNatively(Platform target, Platform host)
        => target.Architecture == host.Architecture
           || host.Architecture == "amd64" && target.Architecture == "386"
           || host.Architecture == "arm64" && target.Architecture == "arm"; // most arm64 kernels run 32-bit arm; where not, runc says so

    /// <summary>The first 20 bytes of an executable of the architecture (ELF identification, type EXEC, machine), or null when unknown.</summary>
    internal static byte[]? ElfHeader(Platform platform)
    {
        (byte Class, byte Data, ushort Machine)? elf = platform.Architecture switch
        {
            "amd64" => (2, 1, 62),
            "386" => (1, 1, 3),
            "arm64" => (2, 1, 183),
            "arm" => (1, 1, 40),
            "ppc64le" => (2, 1, 21),
            "ppc64" => (2, 2, 21),
            "s390x" => (2, 2, 22),
            "riscv64" => (2, 1, 243),
            "mips64le" => (2, 1, 8),
            "mips64" => (2, 2, 8),
            "mipsle" => (1, 1, 8),
            "mips" => (1, 2, 8),
            "loong64" => (2, 1, 258),
            _ => null,
        };
        if (elf is not { } e) return null;
        var header = new byte[20];
        header[0] = 0x7f;
        header[1] = (byte)'E';
        header[2] = (byte)'L';
        header[3] = (byte)'F';
        header[4] = e.Class;
        header[5] = e.Data;
        header[6] = 1;
        bool little = e.Data == 1;
        Put(header, 16, 2, little);
        Put(header, 18, e.Machine, little);
        return header;
    }

    private static void Put(byte[] bytes, int at, ushort value, bool littleEndian)
    {
        bytes[at + (littleEndian ? 0 : 1)] = (byte)value;
        bytes[at + (littleEndian ? 1 : 0)] = (byte)(value >> 8);
    }

    private static string? Read(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>One binfmt_misc entry as its file under the mount shows it (magic entries only; extension entries match no header).</summary>
    private sealed record Registration(string Name, bool Enabled, string Interpreter, bool FixBinary, int Offset, byte[] Magic, byte[] Mask)
    {
        public static Registration? Parse(string name, string? text)
        {
            if (text is null) return null;
            var lines = text.Split('\n', StringSplitOptions.TrimEntries);
            string? Field(string key) => lines.FirstOrDefault(l => l.StartsWith(key + " ", StringComparison.Ordinal))?[(key.Length + 1)..].Trim();
            if (Field("magic") is not { } magicHex || !TryHex(magicHex, out var magic)) return null;
            var mask = Field("mask") is { } maskHex && TryHex(maskHex, out var parsed) ? parsed : Enumerable.Repeat((byte)0xff, magic.Length).ToArray();
            int offset = int.TryParse(Field("offset"), NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : 0;
            var flags = lines.FirstOrDefault(l => l.StartsWith("flags:", StringComparison.Ordinal))?["flags:".Length..].Trim() ?? "";
            return new Registration(name, lines.Contains("enabled"), Field("interpreter") ?? "", flags.Contains('F', StringComparison.Ordinal), offset, magic, mask);
        }

        public bool Matches(byte[] header)
        {
            if (Offset + Magic.Length > header.Length) return false;
            for (int i = 0; i < Magic.Length; i++)
            {
                byte mask = i < Mask.Length ? Mask[i] : (byte)0xff;
                if ((header[Offset + i] & mask) != (Magic[i] & mask)) return false;
            }
            return true;
        }

        private static bool TryHex(string text, out byte[] bytes)
        {
            try
            {
                bytes = Convert.FromHexString(text);
                return bytes.Length > 0;
            }
            catch (FormatException)
            {
                bytes = [];
                return false;
            }
        }
    }
}
