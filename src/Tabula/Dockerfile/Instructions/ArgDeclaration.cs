namespace Tabula.Dockerfile.Instructions;

/// <summary>One <c>name[=default]</c> of an ARG; <paramref name="DefaultValue"/> is null when no <c>=</c> was written.</summary>
internal sealed record ArgDeclaration(string Name, string? DefaultValue)
{
    public override string ToString() => DefaultValue is null ? Name : Name + "=" + DefaultValue;
}
