namespace Tabula.Layers;

/// <summary>
/// The order entries appear in the layers Tabula writes: component by component, each compared by Unicode
/// code point (the byte order of UTF-8, as Go sorts), so a directory precedes its contents:
/// <c>a</c>, <c>a/b</c>, <c>a-c</c>.
/// </summary>
internal sealed class LayerPathOrder : IComparer<string>
{
    public static LayerPathOrder Instance { get; } = new();

    /// <summary>The order of the names in one directory (<see cref="CompareNames"/>).</summary>
    public static IComparer<string> Names { get; } = Comparer<string>.Create((a, b) => CompareNames(a, b));

    private LayerPathOrder() { }

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var a = x.AsSpan();
        var b = y.AsSpan();
        while (true)
        {
            if (a.IsEmpty || b.IsEmpty) return a.Length.CompareTo(b.Length);
            int slashA = a.IndexOf('/');
            int slashB = b.IndexOf('/');
            var componentA = slashA < 0 ? a : a[..slashA];
            var componentB = slashB < 0 ? b : b[..slashB];
            int byName = CompareNames(componentA, componentB);
            if (byName != 0) return byName;
            a = slashA < 0 ? [] : a[(slashA + 1)..];
            b = slashB < 0 ? [] : b[(slashB + 1)..];
            if (a.IsEmpty != b.IsEmpty) return a.IsEmpty ? -1 : 1;
            if (a.IsEmpty) return 0;
        }
    }

    /// <summary>Compares two names by code point; UTF-16 ordinal order differs from it only around surrogates.</summary>
    public static int CompareNames(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        int i = 0;
        while (i < a.Length && i < b.Length)
        {
            if (a[i] != b[i])
            {
                bool surrogateA = char.IsSurrogate(a[i]);
                bool surrogateB = char.IsSurrogate(b[i]);
                // Surrogates encode code points above every BMP character, though 0xD800 < 0xE000..0xFFFF in UTF-16.
                if (surrogateA != surrogateB) return surrogateA ? 1 : -1;
                return a[i].CompareTo(b[i]);
            }
            i++;
        }
        return a.Length.CompareTo(b.Length);
    }
}
