using Tabula.Dockerfile.Syntax;

namespace Tabula.Dockerfile.Checks;

/// <summary>
/// Which checks run and whether a warning fails the build: BuildKit's <c>skip=Rule1,Rule2|all;error=true|false;experimental=Rule|all</c>,
/// read from the <c># check=</c> directive, the <c>BUILDKIT_DOCKERFILE_CHECK</c> build arg, or a comment above one instruction.
/// </summary>
public sealed record CheckOptions
{
    public static CheckOptions Default { get; } = new();

    public bool SkipAll { get; init; }
    public IReadOnlySet<string> Skip { get; init; } = new HashSet<string>(StringComparer.Ordinal);
    public bool ExperimentalAll { get; init; }
    public IReadOnlySet<string> Experimental { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary><c>error=true</c>: after reporting, a build with any warning fails.</summary>
    public bool Error { get; init; }

    /// <summary>BuildKit's <c>ParseLintOptions</c>: up to three <c>;</c>-separated <c>key=value</c> parts.</summary>
    /// <exception cref="FormatException">An unknown key, a part without <c>=</c>, or an <c>error</c> value that is not a boolean.</exception>
    public static CheckOptions Parse(string text)
    {
        text = text.Trim();
        var options = Default;
        if (text.Length == 0) return options;
        foreach (var part in text.Split(';', 3))
        {
            var eq = part.IndexOf('=');
            if (eq < 0) throw new FormatException($"invalid check option \"{part}\": give skip=RULE,…|all, error=true|false or experimental=RULE,…|all");
            var key = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            options = key switch
            {
                "skip" when value == "all" => options with { SkipAll = true },
                "skip" => options with { Skip = RuleSet(value) },
                "experimental" when value == "all" => options with { ExperimentalAll = true },
                "experimental" => options with { Experimental = RuleSet(value) },
                "error" => options with { Error = ParseBool(value, part) },
                _ => throw new FormatException($"invalid check option \"{key}\": use skip, error or experimental"),
            };
        }
        return options;
    }

    /// <summary>Whether a warning of this rule is reported.</summary>
    public bool Runs(CheckRule rule) => rule.Experimental
        ? ExperimentalAll || Experimental.Contains(rule.Name)
        : !SkipAll && !Skip.Contains(rule.Name);

    /// <summary>
    /// These options for one instruction, given the comments above it: the first <c># check=</c> among them may skip
    /// more rules or enable experimental ones (text after a space is a remark); it cannot unskip, nor change <c>error</c>.
    /// An unreadable one is ignored, as BuildKit ignores it.
    /// </summary>
    public CheckOptions ForComments(IReadOnlyList<string> comments)
    {
        foreach (var comment in comments)
        {
            if (DirectiveScanner.Match(comment) is not ("check", var value)) continue;
            CheckOptions local;
            try
            {
                local = Parse(value.Split(' ', 2)[0]);
            }
            catch (FormatException)
            {
                return this;
            }
            return this with
            {
                SkipAll = SkipAll || local.SkipAll,
                Skip = Skip.Union(local.Skip).ToHashSet(StringComparer.Ordinal),
                ExperimentalAll = ExperimentalAll || local.ExperimentalAll,
                Experimental = Experimental.Union(local.Experimental).ToHashSet(StringComparer.Ordinal),
            };
        }
        return this;
    }

    private static HashSet<string> RuleSet(string value) =>
        value.Split(',').Select(rule => rule.Trim()).ToHashSet(StringComparer.Ordinal);

    /// <summary>Go's <c>strconv.ParseBool</c>.</summary>
    private static bool ParseBool(string value, string part) => value switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => throw new FormatException($"failed to parse check option \"{part}\": give error=true or error=false"),
    };
}
