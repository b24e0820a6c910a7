using System.Buffers;
using Tabula.IO;
using Tabula.Layers;

namespace Tabula.Archives.Tar;

/// <summary>
/// Writes a tar stream entry by entry: every entry owned by root with the epoch as mtime, headers encoded as layer
/// tars are (<see cref="TarHeaderEncoder"/>), so the same input gives the same bytes. Content of unknown length (a
/// layer being decompressed) streams straight into the output when it can seek back to fill in the header, and
/// through a temp file otherwise; it is never held in memory.
/// </summary>
internal sealed class ArchiveTarWriter(Stream output, string? spoolDirectory = null)
{
    private const int FileMode = 0b110_100_100;      // 0644
    private const int DirectoryMode = 0b111_101_101; // 0755
    private const int SymlinkMode = 0b111_111_111;   // 0777

    private static readonly byte[] Zeros = new byte[TarHeaderEncoder.BlockSize];

    private readonly ArrayBufferWriter<byte> _header = new(2 * TarHeaderEncoder.BlockSize);

    public Task WriteDirectoryAsync(string name, CancellationToken cancellationToken)
        => WriteHeaderAsync(new LayerEntry { Path = name.TrimEnd('/'), Type = LayerEntryType.Directory, Mode = DirectoryMode }, cancellationToken);

    public Task WriteSymlinkAsync(string name, string target, CancellationToken cancellationToken)
        => WriteHeaderAsync(new LayerEntry { Path = name, Type = LayerEntryType.Symlink, Mode = SymlinkMode, LinkTarget = target }, cancellationToken);

    public async Task WriteFileAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await WriteHeaderAsync(FileEntry(name, content.Length), cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        await PadAsync(content.Length, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes content of a known size; the source must yield exactly that many bytes.</summary>
    public async Task WriteFileAsync(string name, Stream source, long size, CancellationToken cancellationToken)
    {
        await WriteHeaderAsync(FileEntry(name, size), cancellationToken).ConfigureAwait(false);
        long copied = await CopyAsync(source, output, cancellationToken).ConfigureAwait(false);
        if (copied != size)
            throw new InvalidDataException($"tar entry '{name}': its source gave {copied} bytes instead of the {size} announced");
        await PadAsync(size, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes content whose size is known only once <paramref name="produce"/> has written it all.</summary>
    public async Task WriteFileAsync(string name, Func<Stream, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        if (output.CanSeek)
        {
            // The header's length does not depend on the size (see EncodeHeader): zeros hold its place.
            long headerAt = output.Position;
            int headerLength = EncodeHeader(FileEntry(name, 0)).Length;
            for (int at = 0; at < headerLength; at += Zeros.Length)
                await output.WriteAsync(Zeros, cancellationToken).ConfigureAwait(false);
            var counter = new CountingStream(output, leaveOpen: true);
            await produce(counter, cancellationToken).ConfigureAwait(false);
            long end = output.Position;
            output.Position = headerAt;
            await WriteHeaderAsync(FileEntry(name, counter.BytesPassed), cancellationToken).ConfigureAwait(false);
            output.Position = end;
            await PadAsync(counter.BytesPassed, cancellationToken).ConfigureAwait(false);
            return;
        }
        var spool = Path.Combine(spoolDirectory ?? Path.GetTempPath(), $"{Environment.ProcessId}-spool-{Guid.NewGuid():N}");
        await using var file = new FileStream(spool, System.IO.FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await produce(file, cancellationToken).ConfigureAwait(false);
        long size = file.Length;
        file.Position = 0;
        await WriteFileAsync(name, file, size, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The two zero blocks that end an archive.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        await output.WriteAsync(Zeros, cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(Zeros, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static LayerEntry FileEntry(string name, long size) => new() { Path = name, Type = LayerEntryType.RegularFile, Mode = FileMode, Size = size };

    /// <summary>A size beyond 8 GiB goes in base-256, not in a PAX record, so the header's length never depends on it.</summary>
    private ReadOnlyMemory<byte> EncodeHeader(LayerEntry entry)
    {
        _header.ResetWrittenCount();
        TarHeaderEncoder.Encode(entry, _header, base256Size: true);
        return _header.WrittenMemory;
    }

    private Task WriteHeaderAsync(LayerEntry entry, CancellationToken cancellationToken) => output.WriteAsync(EncodeHeader(entry), cancellationToken).AsTask();

    private Task PadAsync(long size, CancellationToken cancellationToken)
    {
        int padding = TarHeaderEncoder.Padding(size);
        return padding == 0 ? Task.CompletedTask : output.WriteAsync(Zeros.AsMemory(0, padding), cancellationToken).AsTask();
    }

    private static async Task<long> CopyAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            total += n;
        }
        return total;
    }
}
