using System.Text.RegularExpressions;

namespace Tabula.Build.Checks;

/// <summary>BuildKit's guess that an ARG or ENV name holds a secret: a secret word as the whole name or a <c>_</c>-separated part, and no allowing word.</summary>
internal static partial class SecretNames
{
    public static bool LooksSecret(string name) => Deny().IsMatch(name) && !Allow().IsMatch(name);

    [GeneratedRegex("(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)", RegexOptions.IgnoreCase)]
    private static partial Regex Deny();

    [GeneratedRegex("(?:_|^)(?:public|file|version)(?:_|$)", RegexOptions.IgnoreCase)]
    private static partial Regex Allow();
}
