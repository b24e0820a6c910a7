namespace Tabula.Build;

/// <summary>Docker's <c>KEY=value</c> environment lists: setting a key replaces it in place.</summary>
internal static class EnvList
{
    public static IReadOnlyList<string> Set(IReadOnlyList<string>? env, string key, string value)
    {
        var result = new List<string>(env ?? []);
        var entry = $"{key}={value}";
        int at = result.FindIndex(e => e.Split('=', 2)[0] == key);
        if (at >= 0) result[at] = entry; else result.Add(entry);
        return result;
    }
}
