using System.Diagnostics;
using Tabula.IO;
using Tabula.Oci;

namespace Tabula.Transports;

/// <summary>
/// Passes one blob's bytes through and reports <see cref="TransferKind.Progress"/> as they move: at most every
/// ~100 ms or every 256 KiB, whichever comes first, and once more when the last expected byte has passed. Bytes read to
/// be compressed are reported the same way, as <see cref="TransferKind.Compressing"/>.
/// </summary>
internal sealed class TransferProgressStream(Stream inner, Digest digest, long size, IProgress<TransferEvent> progress, bool leaveOpen = false, TransferKind kind = TransferKind.Progress)
    : CountingStream(inner, leaveOpen)
{
    private const long ReportBytes = 256 * 1024;
    private static readonly long ReportTicks = Stopwatch.Frequency / 10;

    private long _reportedBytes;
    private long _reportedAt = Stopwatch.GetTimestamp();

    /// <summary>Reports <see cref="TransferKind.Started"/> and wraps <paramref name="inner"/>; without a listener, <paramref name="inner"/> itself.</summary>
    public static Stream Wrap(Stream inner, Digest digest, long size, IProgress<TransferEvent>? progress)
    {
        if (progress is null) return inner;
        progress.Report(new TransferEvent(TransferKind.Started, digest, size));
        return new TransferProgressStream(inner, digest, size, progress);
    }

    /// <summary>Reports that compression of a layer begins and wraps its tar, which the compressor reads.</summary>
    public static Stream WrapCompressing(Stream tar, Digest diffId, long size, IProgress<TransferEvent> progress)
    {
        progress.Report(new TransferEvent(TransferKind.Compressing, diffId, size));
        return new TransferProgressStream(tar, diffId, size, progress, kind: TransferKind.Compressing);
    }

    protected override void Observe(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        long done = BytesPassed + data.Length;
        long now = Stopwatch.GetTimestamp();
        if (done - _reportedBytes < ReportBytes && now - _reportedAt < ReportTicks && done != size) return;
        _reportedBytes = done;
        _reportedAt = now;
        progress.Report(new TransferEvent(kind, digest, size, done));
    }
}
