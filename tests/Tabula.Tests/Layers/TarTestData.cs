using System.Formats.Tar;
using System.Text;
using Tabula.Layers;

namespace Tabula.Tests.Layers;

/// <summary>Builds small tars in memory for tests.</summary>
internal static class TarTestData
{
    public static readonly DateTimeOffset Time = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    public static LayerEntry File(string path, int size = 0, int mode = 0b110_100_100) =>
        new() { Path = path, Type = LayerEntryType.RegularFile, Mode = mode, Size = size, ModTime = Time };

    public static LayerEntry Dir(string path, int mode = 0b111_101_101) =>
        new() { Path = path, Type = LayerEntryType.Directory, Mode = mode, ModTime = Time };

    public static LayerEntry Symlink(string path, string target) =>
        new() { Path = path, Type = LayerEntryType.Symlink, Mode = 0b111_111_111, LinkTarget = target, ModTime = Time };

    public static LayerEntry Hardlink(string path, string target) =>
        new() { Path = path, Type = LayerEntryType.Hardlink, Mode = 0b110_100_100, LinkTarget = target, ModTime = Time };

    /// <summary>Deterministic content for a file entry: its path repeated to its size.</summary>
    public static byte[] ContentFor(LayerEntry entry)
    {
        var bytes = new byte[entry.Size];
        var seed = Encoding.UTF8.GetBytes(entry.Path + "\n");
        for (int i = 0; i < bytes.Length; i++) bytes[i] = seed[i % seed.Length];
        return bytes;
    }

    public static async Task<byte[]> WriteTarAsync(IEnumerable<LayerEntry> entries, CancellationToken cancellationToken = default)
    {
        var output = new MemoryStream();
        var writer = new TarEntryWriter(output);
        foreach (var entry in entries)
            await writer.WriteEntryAsync(entry, entry.Size > 0 ? new MemoryStream(ContentFor(entry)) : null, cancellationToken);
        await writer.FinishAsync(cancellationToken);
        return output.ToArray();
    }

    /// <summary>Changes the type flag of the header at <paramref name="offset"/> and fixes its checksum.</summary>
    public static byte[] WithTypeFlag(byte[] tar, int offset, char flag)
    {
        var copy = (byte[])tar.Clone();
        var header = copy.AsSpan(offset, 512);
        header[156] = (byte)flag;
        header.Slice(148, 8).Fill((byte)' ');
        int sum = 0;
        foreach (byte b in header) sum += b;
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header[148..]);
        return copy;
    }

    /// <summary>Writes a tar with the BCL writer, for archives Tabula's writer would refuse or normalise.</summary>
    public static byte[] BclTar(TarEntryFormat format, params (string Name, TarEntryType Type, string? LinkOrContent)[] entries)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, format, leaveOpen: true))
        {
            foreach (var (name, type, linkOrContent) in entries)
            {
                TarEntry entry = format switch
                {
                    TarEntryFormat.Pax => new PaxTarEntry(type, name),
                    TarEntryFormat.Gnu => new GnuTarEntry(type, name),
                    TarEntryFormat.V7 => new V7TarEntry(type == TarEntryType.RegularFile ? TarEntryType.V7RegularFile : type, name),
                    _ => new UstarTarEntry(type, name),
                };
                entry.ModificationTime = Time;
                // As tar records what it finds on disk: a symlink is 0777 on Linux.
                entry.Mode = type switch
                {
                    TarEntryType.Directory => (UnixFileMode)0b111_101_101,
                    TarEntryType.SymbolicLink => (UnixFileMode)0b111_111_111,
                    _ => (UnixFileMode)0b110_100_100,
                };
                if (type is TarEntryType.SymbolicLink or TarEntryType.HardLink) entry.LinkName = linkOrContent!;
                else if (linkOrContent is not null) entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(linkOrContent));
                writer.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }
}
