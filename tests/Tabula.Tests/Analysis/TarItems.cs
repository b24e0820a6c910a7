using System.Formats.Tar;
using System.Text;

namespace Tabula.Tests.Analysis;

/// <summary>One entry of a hand-made layer tar: a file (with content), a directory, a symlink, or a whiteout (an empty file named <c>.wh.NAME</c>).</summary>
internal sealed record TarItem(string Name, string Content = "", TarEntryType Type = TarEntryType.RegularFile, UnixFileMode Mode = TarItems.Mode644, int Uid = 0, string Link = "");

/// <summary>Layer tars written in the order given (so a test decides where whiteouts and opaque markers fall).</summary>
internal static class TarItems
{
    public const UnixFileMode Mode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    public const UnixFileMode Mode755 = Mode644 | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static TarItem File(string name, char fill, int size, UnixFileMode mode = Mode644) => new(name, new string(fill, size), Mode: mode);

    public static byte[] Tar(params TarItem[] items)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var item in items)
            {
                var entry = new PaxTarEntry(item.Type, item.Name)
                {
                    ModificationTime = DateTimeOffset.UnixEpoch,
                    Mode = item.Mode,
                    Uid = item.Uid,
                };
                if (item.Link.Length > 0) entry.LinkName = item.Link;
                if (item.Type == TarEntryType.RegularFile) entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(item.Content));
                writer.WriteEntry(entry);
            }
        }
        return buffer.ToArray();
    }
}
