using System.Buffers.Binary;

namespace Tabula.Tests.Integration.Support;

/// <summary>
/// A small but realistic root filesystem made from the machine's static busybox (Debian's
/// busybox-static): the binary, its applet symlinks, /etc files, and entries chosen to cover
/// what layers must keep: setuid/setgid/sticky bits, a directory without write permission,
/// a hard link, an absolute symlink, an empty file and a path longer than 100 bytes.
/// Nothing is downloaded. <see cref="WriteTarAsync"/> archives it reproducibly with the system tar.
/// </summary>
public sealed class BusyboxRootfs
{
    public const string BusyboxPath = "/bin/busybox";

    /// <summary>The mtime of every archived entry (2023-11-14T22:13:20Z); not 0, so a lost time shows.</summary>
    public const long Epoch = 1_700_000_000;

    private BusyboxRootfs(string rootDirectory, IReadOnlyList<string> applets)
    {
        RootDirectory = rootDirectory;
        Applets = applets;
    }

    public string RootDirectory { get; }

    /// <summary>The applet names linked in <c>bin/</c> (<c>busybox --list</c> without busybox itself).</summary>
    public IReadOnlyList<string> Applets { get; }

    /// <summary>Builds the tree in <paramref name="rootDirectory"/>, which must not exist yet.</summary>
    public static async Task<BusyboxRootfs> CreateAsync(string rootDirectory, CancellationToken cancellationToken)
    {
        if (!File.Exists(BusyboxPath) || !IsStaticElf(BusyboxPath))
            Requirements.Unmet($"{BusyboxPath} is missing or not static (apt-get install busybox-static)");
        if (Path.Exists(rootDirectory))
            throw new IOException($"{rootDirectory} already exists");

        var list = await ProcessRunner.RunCheckedAsync(BusyboxPath, ["--list"], cancellationToken);
        var applets = list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(name => name != "busybox").Order(StringComparer.Ordinal).ToList();

        var root = new FixtureWriter(rootDirectory);
        root.Directory(".", "755");
        root.Directory("bin", "755");
        File.Copy(BusyboxPath, root.Combine("bin/busybox"));
        File.SetUnixFileMode(root.Combine("bin/busybox"), FixtureWriter.Mode("755"));
        foreach (var applet in applets)
            File.CreateSymbolicLink(root.Combine("bin", applet), "busybox");

        root.Directory("dev", "755");
        root.Directory("etc", "755");
        root.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n", "644");
        root.File("etc/group", "root:x:0:\nshadow:x:42:\nnogroup:x:65534:\n", "644");
        root.File("etc/shadow", "root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n", "640");
        root.File("etc/hostname", "tabula-fixture\n", "644");
        root.File("etc/os-release", "NAME=\"Tabula busybox fixture\"\nID=tabula-busybox\n", "644");
        // A second name for the same inode: tar writes it as a hard-link entry.
        await ProcessRunner.RunCheckedAsync("ln", [root.Combine("etc/passwd"), root.Combine("etc/passwd-")], cancellationToken);
        root.Directory("home", "755");
        root.Directory("proc", "555");
        root.Directory("root", "700");
        root.Directory("run", "755");
        root.Directory("tmp", "1777");
        root.Directory("usr", "755");
        root.Directory("usr/bin", "755");
        root.File("usr/bin/setuid-tool", "#!/bin/sh\necho setuid\n", "4755");
        root.File("usr/bin/setgid-tool", "#!/bin/sh\necho setgid\n", "2711");
        var longDirectory = "usr/share/doc/tabula-fixture/" + new string('d', 60);
        root.Directory("usr/share", "755");
        root.Directory("usr/share/doc", "755");
        root.Directory("usr/share/doc/tabula-fixture", "755");
        root.Directory(longDirectory, "755");
        root.File(longDirectory + "/a-file-whose-path-is-longer-than-one-hundred-bytes.txt", "long names need GNU or PAX headers\n", "644");
        root.Directory("var", "755");
        root.Directory("var/log", "755");
        root.File("var/log/empty.log", "", "600");
        File.CreateSymbolicLink(root.Combine("var/run"), "/run");
        return new BusyboxRootfs(Path.GetFullPath(rootDirectory), applets);
    }

    /// <summary>
    /// Archives the tree with the system tar: GNU format, sorted names, owner and group 0 by number,
    /// every mtime <see cref="Epoch"/>, names starting <c>./</c> after an entry for the root itself (as
    /// distribution rootfs tarballs do). Without <paramref name="rootEntry"/> the archive names the top-level
    /// entries instead (<c>bin/</c>, <c>dev/</c>, …), as a layer does: it has no entry for the root.
    /// </summary>
    public async Task<string> WriteTarAsync(
        string archivePath, TarCompression compression, CancellationToken cancellationToken, bool rootEntry = true)
    {
        var program = compression.CompressProgram();
        if (program is not null)
            Requirements.Tool(program.Split(' ')[0]);
        List<string> arguments =
        [
            "--create", "--file", Path.GetFullPath(archivePath), "--directory", RootDirectory,
            "--format=gnu", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", $"--mtime=@{Epoch}",
        ];
        if (program is not null)
            arguments.Add($"--use-compress-program={program}");
        if (rootEntry)
            arguments.Add(".");
        else
            arguments.AddRange(Directory.EnumerateFileSystemEntries(RootDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!);
        await ProcessRunner.RunCheckedAsync(Requirements.Tool("tar"), arguments, cancellationToken);
        return archivePath;
    }

    /// <summary>True when the ELF file has no PT_INTERP program header, i.e. needs no dynamic loader.</summary>
    private static bool IsStaticElf(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 64 || !bytes.AsSpan(0, 4).SequenceEqual("\u007fELF"u8) || bytes[4] != 2)
            return false;
        var programHeaders = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(0x20));
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(0x36));
        var count = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(0x38));
        const uint ptInterp = 3;
        return Enumerable.Range(0, count)
            .All(i => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(programHeaders + i * entrySize)) != ptInterp);
    }
}
