namespace Tabula.Content;

/// <summary>
/// What the store throws when something it holds is damaged (a blob that no longer hashes to its digest, a config or
/// manifest that does not parse, a layer that is no tar), as opposed to a bug of tabula's or a cancellation. Listings
/// and lookups that tolerate one unreadable image (<c>images</c>, <c>inspect</c>, <c>history</c>) use this one test.
/// </summary>
internal static class StoreDamage
{
    public static bool IsDamage(Exception e) => e is InvalidDataException or IOException or FormatException or System.Text.Json.JsonException
        or Tabula.Layers.LayerFormatException or ArgumentException or OverflowException;
}
