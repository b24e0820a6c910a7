using System.Collections.Immutable;

namespace Tabula.Layers;

/// <summary>Helpers for extended-attribute maps (name → raw bytes, ordinal order).</summary>
internal static class LayerXattrs
{
    public static ImmutableSortedDictionary<string, byte[]> Empty { get; } = ImmutableSortedDictionary.Create<string, byte[]>(StringComparer.Ordinal);

    public static ImmutableSortedDictionary<string, byte[]> From(IEnumerable<KeyValuePair<string, byte[]>> xattrs)
        => Empty.AddRange(xattrs);

    public static bool AreEqual(ImmutableSortedDictionary<string, byte[]> a, ImmutableSortedDictionary<string, byte[]> b)
    {
        if (a.Count != b.Count) return false;
        foreach (var (name, value) in a)
            if (!b.TryGetValue(name, out var other) || !value.AsSpan().SequenceEqual(other)) return false;
        return true;
    }
}
