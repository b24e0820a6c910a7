namespace Tabula.Dockerfile.Instructions;

/// <summary>
/// The <c>--flags</c> one instruction accepts, checked against what was written (BuildKit's
/// BFlags): unknown flags, repeats of single-valued flags and bad values are errors.
/// </summary>
internal sealed class InstructionFlags(IReadOnlyList<string> written)
{
    private readonly Dictionary<string, InstructionFlag> declared = new(StringComparer.Ordinal);
    private readonly List<string> used = [];

    /// <summary>Names of the flags that were written, in order.</summary>
    public IReadOnlyList<string> Used => used;

    public InstructionFlag AddBool(string name) => Declare(name, FlagKind.Boolean, "false");

    public InstructionFlag AddString(string name, string defaultValue = "") => Declare(name, FlagKind.String, defaultValue);

    public InstructionFlag AddStrings(string name) => Declare(name, FlagKind.Strings, "");

    /// <summary>Reads the written flags into the declared ones; throws <see cref="InstructionError"/>.</summary>
    public void Parse()
    {
        foreach (var argument in written)
        {
            if (argument == "--")
                return;
            if (!argument.StartsWith("--", StringComparison.Ordinal))
                throw new InstructionError($"arg should start with -- : {argument}");

            var equals = argument.IndexOf('=');
            var spelled = equals < 0 ? argument : argument[..equals];
            var hasValue = equals >= 0;
            var value = hasValue ? argument[(equals + 1)..] : "";
            var name = spelled[2..];

            if (!declared.TryGetValue(name, out var flag))
                throw new InstructionError(Suggestion.WithHint($"unknown flag: {spelled}", name, declared.Keys, caseSensitive: true));
            if (flag.IsUsed && flag.Kind != FlagKind.Strings)
                throw new InstructionError($"duplicate flag specified: {spelled}");
            flag.IsUsed = true;
            if (!used.Contains(name))
                used.Add(name);

            switch (flag.Kind)
            {
                case FlagKind.Boolean:
                    if (hasValue && value.Length == 0)
                        throw new InstructionError($"missing a value on flag: {spelled}");
                    flag.Value = value.ToLowerInvariant() switch
                    {
                        "true" or "" => "true",
                        "false" => "false",
                        _ => throw new InstructionError($"expecting boolean value for flag {spelled}, not: {value}"),
                    };
                    break;
                case FlagKind.String:
                    if (!hasValue)
                        throw new InstructionError($"missing a value on flag: {spelled}");
                    flag.Value = value;
                    break;
                case FlagKind.Strings:
                    if (!hasValue)
                        throw new InstructionError($"missing a value on flag: {spelled}");
                    flag.Values.Add(value);
                    break;
            }
        }
    }

    private InstructionFlag Declare(string name, FlagKind kind, string defaultValue)
    {
        var flag = new InstructionFlag(name, kind) { Value = defaultValue };
        declared.Add(name, flag);
        return flag;
    }
}

internal enum FlagKind { Boolean, String, Strings }

/// <summary>One declared flag and, after parsing, its value.</summary>
internal sealed class InstructionFlag(string name, FlagKind kind)
{
    public string Name => name;
    public FlagKind Kind => kind;
    public string Value { get; set; } = "";
    public List<string> Values { get; } = [];
    public bool IsUsed { get; set; }

    public bool IsTrue => Value == "true";

    /// <summary>The value, or null when the flag was not written (or written empty).</summary>
    public string? ValueOrNull => Value.Length == 0 ? null : Value;

    /// <summary>For booleans whose absence means "BuildKit decides" rather than false.</summary>
    public bool? BoolOrNull => IsUsed ? IsTrue : null;
}
