using System.Globalization;
using System.Text.RegularExpressions;

namespace Tabula.Build.Mounts;

/// <summary>A size such as <c>128m</c> or <c>1.5GiB</c>, in binary units, as docker's units.RAMInBytes reads it.</summary>
public static partial class MemorySize
{
    [GeneratedRegex(@"^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$")]
    private static partial Regex Pattern();

    public static long? Parse(string text)
    {
        var match = Pattern().Match(text);
        if (!match.Success || !double.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return null;
        int power = match.Groups[2].Success ? "kmgtp".IndexOf(char.ToLowerInvariant(match.Groups[2].Value[0]), StringComparison.Ordinal) + 1 : 0;
        return (long)(number * Math.Pow(1024, power));
    }
}
