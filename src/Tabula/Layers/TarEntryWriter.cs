using System.Buffers;

namespace Tabula.Layers;

/// <summary>
/// Writes a tar stream entry by entry with the exact bytes Tabula promises (see <see cref="TarHeaderEncoder"/>):
/// deterministic headers, file content streamed from a source in pooled chunks, two zero blocks at the end.
/// </summary>
internal sealed class TarEntryWriter : IAsyncDisposable
{
    private const int CopyChunkSize = 128 * 1024;

    private readonly Stream _destination;
    private readonly bool _leaveOpen;
    private readonly ArrayBufferWriter<byte> _header = new(2 * TarHeaderEncoder.BlockSize);
    private bool _finished;

    public TarEntryWriter(Stream destination, bool leaveOpen = true)
    {
        ArgumentNullException.ThrowIfNull(destination);
        _destination = destination;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Bytes written so far, headers and padding included.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>
    /// What docker's SIZE counts for the entries written so far: regular file bytes and symlink target lengths;
    /// hardlinks, directories and whiteouts count nothing.
    /// </summary>
    public long FilesSize { get; private set; }

    /// <summary>
    /// Writes one entry. A regular file with a non-zero size needs <paramref name="content"/>, from which exactly
    /// <see cref="LayerEntry.Size"/> bytes are copied (a shorter source is an error: the header already promised the size).
    /// </summary>
    public async Task WriteEntryAsync(LayerEntry entry, Stream? content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ObjectDisposedException.ThrowIf(_finished, this);
        _header.ResetWrittenCount();
        TarHeaderEncoder.Encode(entry, _header);
        await WriteAsync(_header.WrittenMemory, cancellationToken).ConfigureAwait(false);
        FilesSize += entry.Type switch
        {
            LayerEntryType.RegularFile => entry.Size,
            LayerEntryType.Symlink => System.Text.Encoding.UTF8.GetByteCount(entry.LinkTarget),
            _ => 0,
        };

        if (entry.Type != LayerEntryType.RegularFile || entry.Size == 0) return;
        if (content is null)
            throw new ArgumentException($"'{entry.Path}' is a regular file of {entry.Size} bytes but no content was given", nameof(content));
        await CopyExactlyAsync(entry, content, cancellationToken).ConfigureAwait(false);
        int padding = TarHeaderEncoder.Padding(entry.Size);
        if (padding > 0) await WriteAsync(ZeroBlocks.AsMemory(0, padding), cancellationToken).ConfigureAwait(false);
    }

    public Task WriteEntryAsync(LayerEntry entry, CancellationToken cancellationToken) => WriteEntryAsync(entry, null, cancellationToken);

    /// <summary>Writes the end-of-archive marker (two zero blocks) and flushes. No entry may follow.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (_finished) return;
        await WriteAsync(ZeroBlocks, cancellationToken).ConfigureAwait(false);
        await _destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        _finished = true;
    }

    /// <summary>Closes the destination unless told to leave it open; does not write the end marker (call <see cref="FinishAsync"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        _finished = true;
        if (!_leaveOpen) await _destination.DisposeAsync().ConfigureAwait(false);
    }

    private async Task CopyExactlyAsync(LayerEntry entry, Stream content, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(CopyChunkSize, entry.Size));
        try
        {
            long remaining = entry.Size;
            while (remaining > 0)
            {
                int read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                    throw new LayerFormatException($"the content of '{entry.Path}' ended {remaining} bytes before its size of {entry.Size}; was the file changed while the layer was written?") { EntryPath = entry.Path };
                await WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _destination.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        BytesWritten += bytes.Length;
    }

    // Read-only by use: the padding and end-of-archive bytes.
    private static readonly byte[] ZeroBlocks = new byte[2 * TarHeaderEncoder.BlockSize];
}
