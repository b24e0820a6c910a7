namespace Tabula.Dockerfile.Syntax;

/// <summary>Something the parser accepts but BuildKit warns about (e.g. an empty continuation line).</summary>
public sealed record SyntaxWarning(string Message, int Line);
