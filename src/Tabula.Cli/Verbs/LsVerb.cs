using System.CommandLine;
using System.Formats.Tar;
using System.Globalization;
using Tabula.Layers;
using Tabula.Oci;

namespace Tabula.Cli.Verbs;

/// <summary><c>tabula ls IMAGE</c>: the image's files as <c>tar -tvf</c> lists them, per layer or merged.</summary>
internal static class LsVerb
{
    public static Command Create(CliContext context)
    {
        var imageArg = new Argument<string>("IMAGE");
        var layerOption = new Option<int?>("--layer") { Description = "List only this layer (1 = the bottom one)" };
        var perLayer = new Option<bool>("--layers") { Description = "List every layer separately instead of the merged filesystem" };
        var platform = new Option<string?>("--platform") { Description = "For a multi-platform image: which platform" };
        var command = new Command("ls", "List the files in an image, like tar -tvf") { imageArg, layerOption, perLayer, platform };
        command.SetAction(async (parse, ct) =>
        {
            var store = context.OpenStore(parse);
            var stored = await store.Resolver.ResolveAsync(parse.GetValue(imageArg)!, ct);
            var image = await store.LoadAsync(stored, parse.GetValue(platform) is { } p ? Platform.Parse(p) : null, ct);
            if (parse.GetValue(layerOption) is { } only)
            {
                if (only < 1 || only > image.Layers.Count)
                    throw new UsageException($"--layer {only}: the image has {image.Layers.Count} layers (1 to {image.Layers.Count})");
                await ListLayerAsync(image.Layers[only - 1], context.Out, ct);
                return CliApp.Ok;
            }
            if (parse.GetValue(perLayer))
            {
                for (int i = 0; i < image.Layers.Count; i++)
                {
                    context.Out.WriteLine($"# layer {i + 1}/{image.Layers.Count} {image.Layers[i].Digest} (diff {image.Layers[i].DiffId})");
                    await ListLayerAsync(image.Layers[i], context.Out, ct);
                }
                return CliApp.Ok;
            }
            var openers = image.Layers.Select(l => (Func<CancellationToken, Task<Stream>>)l.OpenUncompressedAsync).ToList();
            var tree = await LayerApplier.BuildLowerTreeAsync(openers, (_, _) => throw new NotSupportedException("listing reads no file content"), ct);
            foreach (var entry in tree.Entries) context.Out.WriteLine(TarLine.Format(entry.Entry));
            return CliApp.Ok;
        });
        return command;
    }

    private static async Task ListLayerAsync(Images.ILayer layer, TextWriter output, CancellationToken cancellationToken)
    {
        await using var tar = await layer.OpenUncompressedAsync(cancellationToken);
        await using var reader = new TarReader(tar);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            output.WriteLine(TarLine.Format(entry));
    }
}

/// <summary>One line of GNU <c>tar -tvf</c>: mode, owner, size, mtime, name (and link).</summary>
internal static class TarLine
{
    public static string Format(TarEntry entry)
    {
        var owner = entry is PosixTarEntry posix && !string.IsNullOrEmpty(posix.UserName)
            ? $"{posix.UserName}/{(string.IsNullOrEmpty(posix.GroupName) ? entry.Gid.ToString(CultureInfo.InvariantCulture) : posix.GroupName)}"
            : $"{entry.Uid}/{entry.Gid}";
        var size = entry.EntryType is TarEntryType.CharacterDevice or TarEntryType.BlockDevice && entry is PosixTarEntry device
            ? $"{device.DeviceMajor},{device.DeviceMinor}"
            : entry.Length.ToString(CultureInfo.InvariantCulture);
        var name = entry.Name;
        var suffix = entry.EntryType switch
        {
            TarEntryType.SymbolicLink => " -> " + entry.LinkName,
            TarEntryType.HardLink => " link to " + entry.LinkName,
            _ => "",
        };
        return Line(Mode(entry), owner, size, entry.ModificationTime, name, suffix);
    }

    public static string Format(LayerEntry entry)
    {
        char type = entry.Type switch
        {
            LayerEntryType.Directory => 'd',
            LayerEntryType.Symlink => 'l',
            LayerEntryType.Hardlink => 'h',
            LayerEntryType.CharacterDevice => 'c',
            LayerEntryType.BlockDevice => 'b',
            LayerEntryType.Fifo => 'p',
            _ => '-',
        };
        var size = entry.Type is LayerEntryType.CharacterDevice or LayerEntryType.BlockDevice
            ? $"{entry.DevMajor},{entry.DevMinor}"
            : entry.Size.ToString(CultureInfo.InvariantCulture);
        var suffix = entry.Type == LayerEntryType.Symlink ? " -> " + entry.LinkTarget : "";
        return Line(type + Permissions(entry.Mode), $"{entry.Uid}/{entry.Gid}", size, entry.ModTime, entry.IsDirectory ? entry.Path + "/" : entry.Path, suffix);
    }

    private static string Line(string mode, string owner, string size, DateTimeOffset time, string name, string suffix)
        => $"{mode} {owner,-12} {size,9} {time.UtcDateTime:yyyy-MM-dd HH:mm} {name}{suffix}";

    public static string Mode(TarEntry entry)
    {
        char type = entry.EntryType switch
        {
            TarEntryType.Directory => 'd',
            TarEntryType.SymbolicLink => 'l',
            TarEntryType.HardLink => 'h',
            TarEntryType.CharacterDevice => 'c',
            TarEntryType.BlockDevice => 'b',
            TarEntryType.Fifo => 'p',
            _ => '-',
        };
        return type + Permissions((int)entry.Mode);
    }

    public static string Permissions(int mode)
    {
        Span<char> p = stackalloc char[9];
        "rwxrwxrwx".AsSpan().CopyTo(p);
        for (int i = 0; i < 9; i++)
            if ((mode & (1 << (8 - i))) == 0) p[i] = '-';
        if ((mode & 0x800) != 0) p[2] = p[2] == 'x' ? 's' : 'S';
        if ((mode & 0x400) != 0) p[5] = p[5] == 'x' ? 's' : 'S';
        if ((mode & 0x200) != 0) p[8] = p[8] == 'x' ? 't' : 'T';
        return new string(p);
    }
}
