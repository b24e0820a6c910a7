namespace Tabula.Oci;

/// <summary>
/// A manifest or an index as stored or sent: its exact bytes and media type. The digest is always of these bytes,
/// so whoever holds one can name it without re-serialising.
/// </summary>
internal sealed record ManifestBlob(byte[] Bytes, string MediaType)
{
    public Digest Digest => Digest.Compute(Bytes);

    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    public Descriptor Descriptor => new() { MediaType = MediaType, Digest = Digest, Size = Bytes.Length };

    /// <summary>The bytes read as an index; only for <see cref="IsIndex"/>.</summary>
    public ImageIndex Index => IsIndex ? OciJson.DeserializeIndex(Bytes) : throw new InvalidOperationException($"{Digest.Short} is an image manifest, not an index");

    /// <summary>Bytes whose media type is to be found from their content (a layout's blob).</summary>
    public static ManifestBlob Detect(byte[] bytes) => new(bytes, OciJson.DetectManifestMediaType(bytes));

    /// <summary>An index serialised once; its digest is of these very bytes from then on.</summary>
    public static ManifestBlob Of(ImageIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        return new(OciJson.Serialize(index), index.MediaType ?? MediaTypes.OciIndex);
    }
}
