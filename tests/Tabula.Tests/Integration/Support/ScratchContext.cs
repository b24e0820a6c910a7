namespace Tabula.Tests.Integration.Support;

/// <summary>The build context every comparison starts from: <c>FROM scratch</c>, <c>ADD</c> a rootfs archive, <c>CMD</c>.</summary>
public static class ScratchContext
{
    public static string Dockerfile(string archiveName, string command = "/bin/sh") =>
        $"FROM scratch\nADD {archiveName} /\nCMD [\"{command}\"]\n";

    /// <summary>The rootfs archive's name in the context: <c>rootfs.tar.gz</c>, …</summary>
    public static string ArchiveName(TarCompression compression) => "rootfs" + compression.Extension();

    /// <summary>
    /// Writes <c>rootfs.tar…</c> (compressed as asked, with or without an entry for the root: see
    /// <see cref="BusyboxRootfs.WriteTarAsync"/>) and a Dockerfile adding it into <paramref name="contextDirectory"/>.
    /// </summary>
    public static async Task<string> CreateAsync(
        string contextDirectory, BusyboxRootfs rootfs, TarCompression compression, CancellationToken cancellationToken, bool rootEntry = true)
    {
        Directory.CreateDirectory(contextDirectory);
        var archiveName = ArchiveName(compression);
        await rootfs.WriteTarAsync(Path.Combine(contextDirectory, archiveName), compression, cancellationToken, rootEntry);
        await File.WriteAllTextAsync(Path.Combine(contextDirectory, "Dockerfile"), Dockerfile(archiveName), cancellationToken);
        return contextDirectory;
    }
}
