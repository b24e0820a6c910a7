namespace Tabula.Dockerfile.Expansion;

/// <summary>
/// An immutable set of variables. Built from <c>NAME=value</c> strings the way BuildKit's
/// <c>EnvsFromSlice</c> does: a later entry wins and a bare <c>NAME</c> is set to empty.
/// </summary>
internal sealed class VariableMap : IVariableLookup
{
    public static readonly VariableMap Empty = new(new Dictionary<string, string>());

    private readonly IReadOnlyDictionary<string, string> values;

    public VariableMap(IReadOnlyDictionary<string, string> values) =>
        this.values = new Dictionary<string, string>(values, StringComparer.Ordinal);

    public static VariableMap FromAssignments(IEnumerable<string> assignments)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
        {
            var equals = assignment.IndexOf('=');
            if (equals < 0)
                values[assignment] = "";
            else
                values[assignment[..equals]] = assignment[(equals + 1)..];
        }
        return new VariableMap(values);
    }

    public bool TryGet(string name, out string value)
    {
        if (values.TryGetValue(name, out var found))
        {
            value = found;
            return true;
        }
        value = "";
        return false;
    }
}
