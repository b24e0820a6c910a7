namespace Tabula.Archives;

/// <summary>Tells decompressor failures (bad gzip or zstd data) from other errors.</summary>
internal static class CorruptData
{
    public static bool IsDecompressionFailure(Exception e)
        => e is InvalidDataException or EndOfStreamException || e.GetType().Namespace == "ZstdSharp";

    /// <summary>
    /// After a decompressor failed: reads the rest of the blob, whose verifying stream then reports a digest mismatch
    /// when the bytes are corrupt (the usual cause); otherwise the blob is intact but not valid compressed data.
    /// </summary>
    public static async Task<Exception> ExplainAsync(Stream verifyingBlob, string what, Exception failure, CancellationToken cancellationToken)
    {
        await verifyingBlob.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        return new ArchiveFormatException($"{what}: its digest matches but it cannot be decompressed ({failure.Message}); the blob is not valid compressed data", failure);
    }
}
