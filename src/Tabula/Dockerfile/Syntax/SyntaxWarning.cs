namespace Tabula.Dockerfile.Syntax;

/// <summary>Something the parser accepts but BuildKit warns about (e.g. an empty continuation line).</summary>
internal sealed record SyntaxWarning(string Message, int Line);
