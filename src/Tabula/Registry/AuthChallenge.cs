namespace Tabula.Registry;

/// <summary>
/// A parsed <c>WWW-Authenticate</c> challenge, e.g. <c>Bearer realm="https://auth.example/token",service="reg",scope="repository:a:pull"</c>.
/// Parameter names are case-insensitive; values may be quoted (with backslash escapes) or bare tokens.
/// </summary>
internal sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);
    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? Realm => Parameters.GetValueOrDefault("realm");
    public string? Service => Parameters.GetValueOrDefault("service");
    public string? Scope => Parameters.GetValueOrDefault("scope");

    /// <summary>Parses every challenge in a header value (several may be given, comma-separated).</summary>
    public static IReadOnlyList<AuthChallenge> ParseAll(string header)
    {
        var result = new List<AuthChallenge>();
        int i = 0;
        string? scheme = null;
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (i < header.Length)
        {
            SkipSeparators(header, ref i);
            if (i >= header.Length) break;
            int start = i;
            while (i < header.Length && !char.IsWhiteSpace(header[i]) && header[i] != '=' && header[i] != ',') i++;
            var token = header[start..i];
            int save = i;
            while (i < header.Length && header[i] == ' ') i++;
            if (i < header.Length && header[i] == '=' && scheme is not null)
            {
                i++;
                while (i < header.Length && header[i] == ' ') i++;
                parameters[token] = ReadValue(header, ref i);
                continue;
            }
            i = save;
            // A new scheme starts.
            if (scheme is not null) result.Add(new AuthChallenge(scheme, parameters));
            scheme = token;
            parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        }
        if (scheme is not null) result.Add(new AuthChallenge(scheme, parameters));
        return result;
    }

    public static AuthChallenge? Parse(string header)
    {
        var all = ParseAll(header);
        return all.FirstOrDefault(c => c.IsBearer) ?? all.FirstOrDefault(c => c.IsBasic) ?? all.FirstOrDefault();
    }

    private static void SkipSeparators(string s, ref int i)
    {
        while (i < s.Length && (char.IsWhiteSpace(s[i]) || s[i] == ',')) i++;
    }

    private static string ReadValue(string s, ref int i)
    {
        if (i < s.Length && s[i] == '"')
        {
            i++;
            var value = new System.Text.StringBuilder();
            while (i < s.Length && s[i] != '"')
            {
                if (s[i] == '\\' && i + 1 < s.Length) i++;
                value.Append(s[i++]);
            }
            i++; // closing quote
            return value.ToString();
        }
        int start = i;
        while (i < s.Length && s[i] != ',' && !char.IsWhiteSpace(s[i])) i++;
        return s[start..i];
    }
}

/// <summary>What a token is asked for: <c>repository:NAME:ACTIONS</c> as the token spec writes it.</summary>
internal sealed record RegistryScope(string Repository, bool Push = false)
{
    public static RegistryScope Pull(string repository) => new(repository);
    public static RegistryScope PullPush(string repository) => new(repository, Push: true);

    public override string ToString() => $"repository:{Repository}:{(Push ? "pull,push" : "pull")}";

    /// <summary>The scopes of a request, in a stable order, as one cache key.</summary>
    public static string Key(IEnumerable<RegistryScope> scopes) => string.Join(' ', scopes.Select(s => s.ToString()).Distinct().Order(StringComparer.Ordinal));
}
