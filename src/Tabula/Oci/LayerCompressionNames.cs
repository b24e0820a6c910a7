namespace Tabula.Oci;

/// <summary>The names users give a <see cref="LayerCompression"/> (<c>--compression</c>), read in one place.</summary>
internal static class LayerCompressionNames
{
    /// <summary>For messages: the names <see cref="TryParse"/> takes.</summary>
    public const string Accepted = "gzip, zstd or none";

    /// <summary><c>gzip</c>, <c>zstd</c>, <c>none</c> (or <c>uncompressed</c>), as written (lower case).</summary>
    public static bool TryParse(string? text, out LayerCompression compression)
    {
        (bool known, compression) = text switch
        {
            "gzip" => (true, LayerCompression.Gzip),
            "zstd" => (true, LayerCompression.Zstd),
            "none" or "uncompressed" => (true, LayerCompression.None),
            _ => (false, LayerCompression.Gzip),
        };
        return known;
    }
}
