using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabula.Oci;

/// <summary>A content address <c>algorithm:encoded</c>, validated on construction.</summary>
[JsonConverter(typeof(DigestJsonConverter))]
public readonly record struct Digest
{
    public const string Sha256 = "sha256";
    public const string Sha512 = "sha512";

    public string Algorithm { get; }
    public string Encoded { get; }

    public Digest(string algorithm, string encoded)
    {
        if (!IsValid(algorithm, encoded))
            throw new FormatException($"invalid digest '{algorithm}:{encoded}': expected sha256 (64 hex) or sha512 (128 hex), lower case");
        Algorithm = algorithm;
        Encoded = encoded;
    }

    public static Digest Parse(string value) =>
        TryParse(value, out var digest) ? digest : throw new FormatException($"invalid digest '{value}'");

    public static bool TryParse(string? value, out Digest digest)
    {
        digest = default;
        if (value is null) return false;
        int colon = value.IndexOf(':');
        if (colon <= 0) return false;
        var algorithm = value[..colon];
        var encoded = value[(colon + 1)..];
        if (!IsValid(algorithm, encoded)) return false;
        digest = new Digest(algorithm, encoded);
        return true;
    }

    public static Digest FromSha256Hash(ReadOnlySpan<byte> hash) => new(Sha256, Convert.ToHexStringLower(hash));

    public static Digest Compute(ReadOnlySpan<byte> content) => FromSha256Hash(SHA256.HashData(content));

    public static async Task<Digest> ComputeAsync(Stream content, CancellationToken cancellationToken)
        => FromSha256Hash(await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false));

    /// <summary>The first 12 hex characters, as docker shows image and layer ids.</summary>
    public string Short => Encoded.Length >= 12 ? Encoded[..12] : Encoded;

    public bool IsDefault => Encoded is null;

    public override string ToString() => IsDefault ? "" : $"{Algorithm}:{Encoded}";

    private static bool IsValid(string algorithm, string encoded)
    {
        int expected = algorithm switch { Sha256 => 64, Sha512 => 128, _ => -1 };
        if (expected < 0 || encoded.Length != expected) return false;
        foreach (char c in encoded)
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return false;
        return true;
    }
}

internal sealed class DigestJsonConverter : JsonConverter<Digest>
{
    public override Digest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return Digest.TryParse(text, out var digest) ? digest : throw new JsonException($"invalid digest '{text}'");
    }

    public override void Write(Utf8JsonWriter writer, Digest value, JsonSerializerOptions options)
        => writer.WriteStringValue(value.ToString());
}
